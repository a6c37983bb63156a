/**
 * The audit log of a real gateway: records of allowed, denied and limited calls, arguments only by named fields,
 * and `mcp-fleet audit verify` (the real CLI) passing on the log and failing once a line is removed, edited or moved.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/commands/run-cli.test-helper.js";
import { bearer, openSession, rpc, send } from "./fixtures/raw-http.js";
import { EVERYTHING, FIXTURE, gateway, tempDir, waitFor } from "./helpers.js";

const sha256 = (key: string) => createHash("sha256").update(key).digest("hex");
const KEY = "audited-key-0123456789";

interface AuditRecord {
  time: string;
  identity: Record<string, unknown>;
  method: string;
  server: string | null;
  name: string;
  decision: string;
  outcome: string;
  durationMs: number;
  requestId: string;
  traceId?: string;
  arguments?: Record<string, unknown>;
  prev: string;
  hash: string;
}

describe("audit log", () => {
  const dir = tempDir("audit");
  const file = join(dir, "audit.jsonl");
  let lines: string[];

  beforeAll(async () => {
    const gw = await gateway({
      auth: { mode: "apiKey", apiKeys: [{ name: "ci-bot", sha256: sha256(KEY), roles: ["support"] }] },
      audit: { file, arguments: ["message"] },
      servers: [
        { name: "everything", transport: "stdio", command: "node", args: [EVERYTHING, "stdio"], access: [{ roles: ["support"], tools: ["echo"] }], rateLimits: [{ key: "identity", perMinute: 1, burst: 2 }] },
        { name: "fixture", transport: "stdio", command: "node", args: ["--import", "tsx", FIXTURE] },
      ],
    });
    try {
      const session = await openSession(gw.url, [bearer(KEY)]);
      const h: [string, string][] = [bearer(KEY), ["mcp-session-id", session], ["x-request-id", "req-audit-1"], ["traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]];
      await send("POST", gw.url, rpc(2, "tools/call", { name: "everything__echo", arguments: { message: "hello", password: "hunter2" } }), h);
      await send("POST", gw.url, rpc(3, "tools/call", { name: "fixture__pid", arguments: {} }), h);
      await send("POST", gw.url, rpc(4, "tools/call", { name: "nobody__nothing", arguments: {} }), h);
      await send("POST", gw.url, rpc(5, "tools/call", { name: "everything__echo", arguments: { message: "again" } }), h);
      await send("POST", gw.url, rpc(6, "tools/call", { name: "everything__echo", arguments: { message: "over" } }), h);
      await send("POST", gw.url, rpc(7, "tools/list"), h);
    } finally {
      await gw.close();
    }
    lines = await waitFor(() => {
      const text = readFileSync(file, "utf8");
      return text.split("\n").filter((l) => l !== "").length === 5 ? text.split("\n").filter((l) => l !== "") : undefined;
    }, "5 audit records");
  });
  afterAll(() => undefined);

  it("records each call once with identity, server, name, decision, outcome and request id; lists are not calls", () => {
    const records = lines.map((l) => JSON.parse(l) as AuditRecord);
    expect(records.map((r) => [r.method, r.server, r.name, r.decision, r.outcome])).toEqual([
      ["tools/call", "everything", "everything__echo", "allowed", "ok"],
      ["tools/call", "fixture", "fixture__pid", "denied", "error"],
      ["tools/call", null, "nobody__nothing", "allowed", "error"],
      ["tools/call", "everything", "everything__echo", "allowed", "ok"],
      ["tools/call", "everything", "everything__echo", "limited", "error"],
    ]);
    for (const r of records) {
      expect(r.identity).toEqual({ id: "apikey:ci-bot", kind: "apiKey", keyName: "ci-bot" });
      expect(r.requestId).toBe("req-audit-1");
      expect(r.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
      expect(Number.isNaN(Date.parse(r.time))).toBe(false);
      expect(r.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it("keeps only the argument fields named for it", () => {
    const first = JSON.parse(lines[0]!) as AuditRecord;
    expect(first.arguments).toEqual({ message: "hello" });
    expect(lines.join("\n").includes("hunter2")).toBe(false);
    expect(lines.join("\n").includes(KEY)).toBe(false);
  });

  it("chains each record to the one before", () => {
    const records = lines.map((l) => JSON.parse(l) as AuditRecord);
    expect(records[0]!.prev).toBe("0".repeat(64));
    for (let i = 1; i < records.length; i++) expect(records[i]!.prev).toBe(records[i - 1]!.hash);
  });

  const verify = async (text: string) => {
    const copy = join(dir, `copy-${Math.random().toString(36).slice(2)}.jsonl`);
    writeFileSync(copy, text);
    const run = await runCli(["audit", "verify", copy]);
    return { ...run, copy };
  };

  it("verify passes on the log as written", async () => {
    const run = await verify(`${lines.join("\n")}\n`);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${run.copy}: 5 records, chain intact.\n`);
  });

  it("verify fails naming the line after a removed record", async () => {
    const run = await verify(`${[lines[0], lines[2], lines[3], lines[4]].join("\n")}\n`);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`mcp-fleet: ${run.copy}: line 2 does not follow the record before it: a record was removed or reordered. The log was tampered with after it was written.\n`);
  });

  it("verify fails on the first record removed", async () => {
    const run = await verify(`${lines.slice(1).join("\n")}\n`);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`mcp-fleet: ${run.copy}: line 1 does not start the chain: records before it were removed. The log was tampered with after it was written.\n`);
  });

  it("verify fails naming an edited line", async () => {
    const edited = [...lines];
    edited[3] = edited[3]!.replace('"decision":"allowed"', '"decision":"denied"');
    const run = await verify(`${edited.join("\n")}\n`);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`mcp-fleet: ${run.copy}: line 4 was edited: its hash does not match its content. The log was tampered with after it was written.\n`);
  });

  it("verify fails on two records swapped", async () => {
    const run = await verify(`${[lines[0], lines[2], lines[1], lines[3], lines[4]].join("\n")}\n`);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`mcp-fleet: ${run.copy}: line 2 does not follow the record before it: a record was removed or reordered. The log was tampered with after it was written.\n`);
  });
});
