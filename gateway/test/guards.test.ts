import { describe, expect, it } from "vitest";
import { originCheck, originProblem, type OriginPolicy } from "../src/http/guards.js";

const loopback: OriginPolicy = { bindHost: "127.0.0.1", allowedHosts: [], allowedOrigins: [] };
const request = (host: string | undefined, origin?: string) => ({ headers: { host, origin } });

describe("originCheck", () => {
  it("gives originProblem's answer for each (Host, Origin) pair, also when a pair comes again", () => {
    const check = originCheck(loopback);
    const pairs: [string | undefined, string | undefined][] = [
      ["127.0.0.1:8080", undefined],
      ["127.0.0.1:8080", "http://127.0.0.1:3000"],
      ["127.0.0.1:8080", "http://127.0.0.1.evil.com"],
      ["127.evil.com", undefined],
      [undefined, undefined],
      ["", undefined],
      ["127.0.0.1:8080", ""],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [host, origin] of pairs) expect(check(request(host, origin))).toBe(originProblem(request(host, origin), loopback));
    }
    expect(check(request("127.0.0.1:8080", "http://127.0.0.1.evil.com"))).toMatch(/not allowed/);
    expect(check(request("127.0.0.1:8080"))).toBeUndefined();
  });

  it("keeps answering right after more pairs than it remembers", () => {
    const check = originCheck(loopback);
    for (let i = 0; i < 600; i++) expect(check(request(`127.0.0.1:${1000 + i}`))).toBeUndefined();
    expect(check(request("evil.example:80"))).toMatch(/not allowed/);
    expect(check(request("127.0.0.1:1000"))).toBeUndefined();
  });
});
