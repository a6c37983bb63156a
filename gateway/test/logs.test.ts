/** Structured logs: one JSON line per event, with the request id and the session id on request lines. */
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../src/config.js";
import { startGateway, type RunningGateway } from "../src/gateway.js";
import { FIXTURE, connect } from "./helpers.js";

const lines: Record<string, unknown>[] = [];
let gw: RunningGateway;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line.trim() !== "") lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = parseGatewayConfig({
    listen: { port: 0 },
    servers: [{ name: "fixture", transport: "stdio", command: "node", args: ["--import", "tsx", FIXTURE], env: { API_TOKEN: "s3cret" } }],
  });
  gw = await startGateway(config, { logger: pino({ level: "debug" }, sink) });
});
afterAll(async () => {
  await gw?.close();
});

describe("logs", () => {
  it("writes JSON lines; request lines carry reqId and sessionId; no secrets", async () => {
    const client = await connect(gw.url);
    await client.callTool({ name: "fixture__pid" });
    await client.close();
    const requests = lines.filter((l) => l.msg === "request" && l.method === "POST");
    expect(requests.length).toBeGreaterThanOrEqual(2);
    for (const line of requests) expect(line.reqId).toMatch(/^\d+-\d+$/);
    const withSession = requests.filter((l) => typeof l.sessionId === "string");
    expect(withSession.length).toBeGreaterThanOrEqual(1); // every request after initialize
    expect(lines.some((l) => l.msg === "backend up" && l.server === "fixture")).toBe(true);
    expect(JSON.stringify(lines)).not.toContain("s3cret");
  });
});
