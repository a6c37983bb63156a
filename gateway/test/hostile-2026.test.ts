/**
 * Hostile 2026-07-28 requests, one by one, each with the status and JSON-RPC error the spec gives it (and the
 * gateway's message): missing or garbled `_meta`, headers that disagree with the body or are missing, Base64
 * garbage, forged or misused `requestState`, listen filters that are not filters. None of them hangs: every
 * exchange is bounded (modern-wire.ts aborts at 20 s), and a valid request is served afterwards.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "../src/gateway.js";
import { REPO, gateway, textOf } from "./helpers.js";
import { META_KEYS, MODERN, envelope, modernHeaders, modernPost } from "./modern-wire.js";

let gw: RunningGateway;

beforeAll(async () => {
  gw = await gateway({
    servers: [
      { name: "modern", transport: "stdio", command: process.execPath, args: ["--import", "tsx", join(REPO, "gateway/test/fixtures/modern-server.ts")], cwd: REPO },
      { name: "legacy", transport: "stdio", command: process.execPath, args: ["--import", "tsx", join(REPO, "gateway/test/fixtures/conformance-server.ts")], cwd: REPO },
    ],
  });
});

afterAll(async () => {
  await gw?.close();
});

const SIMPLE = { name: "modern__test_simple_text", arguments: {} };
const b64 = (text: string) => `=?base64?${Buffer.from(text).toString("base64")}?=`;

describe("a 2026-07-28 request with a malformed _meta is 400 and -32602", () => {
  it.each([
    ["no _meta", null, 'Invalid params: a 2026-07-28 request needs "params._meta" with its protocol version and client capabilities'],
    ["_meta a string", "x", 'Invalid params: "params._meta" must be an object'],
    ["_meta an array", [], 'Invalid params: "params._meta" must be an object'],
    ["no protocol version", { [META_KEYS.clientCapabilities]: {} }, 'Invalid params: "params._meta" needs "io.modelcontextprotocol/protocolVersion" (a string, e.g. "2026-07-28")'],
    ["no client capabilities", { [META_KEYS.protocolVersion]: MODERN }, 'Invalid params: "params._meta" needs "io.modelcontextprotocol/clientCapabilities" (an object; {} when the client supports no optional capability)'],
    ["capabilities an array", { [META_KEYS.protocolVersion]: MODERN, [META_KEYS.clientCapabilities]: [] }, 'Invalid params: "params._meta" needs "io.modelcontextprotocol/clientCapabilities" (an object; {} when the client supports no optional capability)'],
    ["an unknown log level", envelope({}, { [META_KEYS.logLevel]: "loud" }), 'Invalid params: "params._meta.io.modelcontextprotocol/logLevel" must be one of debug, info, notice, warning, error, critical, alert, emergency'],
    ["a nested progress token", envelope({}, { progressToken: { a: 1 } }), 'Invalid params: "params._meta.progressToken" must be a string or a number'],
  ])("%s", async (_label, meta, message) => {
    const answer = await modernPost(gw.url, "tools/call", SIMPLE, { meta: meta as Record<string, unknown> | null, id: 7 });
    expect([answer.status, answer.body]).toEqual([400, { jsonrpc: "2.0", id: 7, error: { code: -32602, message } }]);
  });
});

describe("headers that disagree with the body, or are missing or malformed, are 400 and -32020", () => {
  it.each<[string, Record<string, string | undefined>, string]>([
    ["MCP-Protocol-Version missing", { "mcp-protocol-version": undefined }, 'Header mismatch: the MCP-Protocol-Version header is required (the body says "2026-07-28")'],
    ["MCP-Protocol-Version disagreeing", { "mcp-protocol-version": "2025-11-25" }, 'Header mismatch: MCP-Protocol-Version header value "2025-11-25" does not match body value "2026-07-28" (io.modelcontextprotocol/protocolVersion)'],
    ["Mcp-Method missing", { "mcp-method": undefined }, 'Header mismatch: the Mcp-Method header is required (the body\'s method is "tools/call")'],
    ["Mcp-Method disagreeing", { "mcp-method": "tools/list" }, 'Header mismatch: Mcp-Method header value "tools/list" does not match body value "tools/call"'],
    ["Mcp-Method in another case", { "mcp-method": "TOOLS/CALL" }, 'Header mismatch: Mcp-Method header value "TOOLS/CALL" does not match body value "tools/call"'],
    ["Mcp-Name missing", { "mcp-name": undefined }, 'Header mismatch: the Mcp-Name header is required for tools/call (the body names "modern__test_simple_text")'],
    ["Mcp-Name disagreeing", { "mcp-name": "modern__test_image_content" }, 'Header mismatch: Mcp-Name header value "modern__test_image_content" does not match body value "modern__test_simple_text"'],
    ["Mcp-Name Base64 of another name", { "mcp-name": b64("other") }, 'Header mismatch: Mcp-Name header value "other" does not match body value "modern__test_simple_text"'],
    ["Mcp-Name Base64 garbage", { "mcp-name": "=?base64?!!!?=" }, "Header mismatch: the Mcp-Name header is malformed (not visible ASCII, nor valid =?base64?...?= UTF-8)"],
    ["Mcp-Name Base64 of invalid UTF-8", { "mcp-name": `=?base64?${Buffer.from([0xc3, 0x28]).toString("base64")}?=` }, "Header mismatch: the Mcp-Name header is malformed (not visible ASCII, nor valid =?base64?...?= UTF-8)"],
  ])("%s", async (_label, headers, message) => {
    const answer = await modernPost(gw.url, "tools/call", SIMPLE, { headers, id: 8 });
    expect([answer.status, answer.body]).toEqual([400, { jsonrpc: "2.0", id: 8, error: { code: -32020, message } }]);
  });

  it("takes Mcp-Name in the Base64 form when it decodes to the body's name", async () => {
    const answer = await modernPost(gw.url, "tools/call", SIMPLE, { headers: { "mcp-name": b64("modern__test_simple_text") } });
    expect([answer.status, textOf(answer.body?.result)]).toEqual([200, "This is a simple text response for testing."]);
  });

  it.each<[string, Record<string, unknown>, Record<string, string | undefined>, string]>([
    ["missing while the argument is set", { region: "eu-west-1" }, {}, "Header mismatch: the Mcp-Param-Region header is required: arguments.region is set"],
    ["disagreeing", { region: "eu-west-1" }, { "mcp-param-region": "us-east-1" }, 'Header mismatch: Mcp-Param-Region header value "us-east-1" does not match body value "eu-west-1" (arguments.region)'],
    ["Base64 garbage", { region: "eu-west-1" }, { "mcp-param-region": "=?base64?%%?=" }, "Header mismatch: the Mcp-Param-Region header is malformed (not visible ASCII, nor valid =?base64?...?= UTF-8)"],
  ])("Mcp-Param-* (x-mcp-header of the exposed tool's schema) %s", async (_label, args, headers, message) => {
    const answer = await modernPost(gw.url, "tools/call", { name: "modern__test_x_mcp_header", arguments: args }, { headers, id: 9 });
    expect([answer.status, answer.body]).toEqual([400, { jsonrpc: "2.0", id: 9, error: { code: -32020, message } }]);
  });

  it("takes Mcp-Param-* plain or Base64 when it matches, and mirrors it to the backend", async () => {
    const plain = await modernPost(gw.url, "tools/call", { name: "modern__test_x_mcp_header", arguments: { region: "eu-west-1" } }, { headers: { "mcp-param-region": "eu-west-1" } });
    expect(textOf(plain.body?.result)).toBe("region=eu-west-1");
    const encoded = await modernPost(gw.url, "tools/call", { name: "modern__test_x_mcp_header", arguments: { region: "zürich" } }, { headers: { "mcp-param-region": b64("zürich") } });
    expect(textOf(encoded.body?.result)).toBe("region=zürich");
  });
});

describe("versions and methods", () => {
  it("answers an unsupported version with 400 and -32022 naming the supported ones and the one asked for", async () => {
    const answer = await modernPost(gw.url, "server/discover", {}, { meta: envelope({}, { [META_KEYS.protocolVersion]: "v999.0.0" }), headers: { "mcp-protocol-version": "v999.0.0" }, id: 3 });
    expect([answer.status, answer.body?.error]).toEqual([
      400,
      {
        code: -32022,
        message: 'Unsupported protocol version: "v999.0.0"; this gateway serves 2026-07-28, 2025-11-25, 2025-06-18, 2025-03-26 (2025 revisions through initialize)',
        data: { supported: ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"], requested: "v999.0.0" },
      },
    ]);
  });

  it.each(["initialize", "ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe", "tasks/result", "tasks/list"])("answers %s (removed in 2026-07-28) with 404 and -32601", async (method) => {
    const answer = await modernPost(gw.url, method, {}, { id: 4 });
    expect([answer.status, answer.body]).toEqual([404, { jsonrpc: "2.0", id: 4, error: { code: -32601, message: `Method not found: ${method} is not part of 2026-07-28 (it serves 2025 sessions after initialize)` } }]);
  });

  it("answers an unknown method with 404 and -32601", async () => {
    const answer = await modernPost(gw.url, "nope/nope", {}, { id: 5 });
    expect([answer.status, answer.body]).toEqual([404, { jsonrpc: "2.0", id: 5, error: { code: -32601, message: "Method not found: nope/nope" } }]);
  });

  it("refuses batches and responses (400 -32600), accepts notifications (202), and answers GET and DELETE with 405", async () => {
    const one = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: envelope() } });
    const batch = await modernPost(gw.url, "tools/list", {}, { body: `[${one},${one}]` });
    expect([batch.status, batch.body?.error]).toEqual([400, { code: -32600, message: "Invalid Request: 2026-07-28 has no JSON-RPC batches; send one message per POST" }]);
    const response = await modernPost(gw.url, "tools/list", {}, { body: JSON.stringify({ jsonrpc: "2.0", id: 1, result: {} }) });
    expect([response.status, response.body?.error?.code]).toEqual([400, -32600]);
    const notification = await modernPost(gw.url, "notifications/cancelled", {}, { body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1, _meta: envelope() } }) });
    expect([notification.status, notification.body]).toEqual([202, undefined]);
    for (const method of ["GET", "DELETE"]) {
      const res = await fetch(gw.url, { method, headers: { "mcp-protocol-version": MODERN, accept: "text/event-stream" } });
      expect([res.status, res.headers.get("allow"), ((await res.json()) as { error: { code: number } }).error.code]).toEqual([405, "POST", -32600]);
    }
  });
});

describe("requestState and inputResponses", () => {
  const ELICIT = "legacy__test_input_required_result_elicitation";
  const withElicitation = envelope({ elicitation: {} });

  it.each([
    ["a random string", "not-a-token"],
    ["a well-formed token with a wrong MAC", "gw1.e30.AAAAAAAAAAAAAAAAAAAAAA"],
    ["an oversized one", `gw1.${"A".repeat(5000)}.AAAA`],
  ])("refuses %s with -32602, naming it", async (_label, requestState) => {
    const answer = await modernPost(gw.url, "tools/call", { name: ELICIT, arguments: {}, inputResponses: {}, requestState }, { meta: withElicitation });
    expect(answer.body?.error).toEqual({ code: -32602, message: "Invalid requestState: requestState is not one this gateway issued, or it was altered", data: { reason: "invalid_request_state" } });
  });

  it("refuses a real requestState on another tool, and malformed inputResponses, keeping the call waiting", async () => {
    const round = await modernPost(gw.url, "tools/call", { name: ELICIT, arguments: {} }, { meta: withElicitation });
    const requestState = round.body!.result!.requestState;
    const other = await modernPost(gw.url, "tools/call", { name: "legacy__test_input_required_result_request_state", arguments: {}, inputResponses: {}, requestState }, { meta: withElicitation });
    expect(other.body?.error?.message).toBe(
      'Invalid requestState: requestState belongs to tools/call "legacy__test_input_required_result_elicitation", not to this tools/call "legacy__test_input_required_result_request_state"',
    );
    for (const inputResponses of [[], "x", { user_name: 12345 }]) {
      const bad = await modernPost(gw.url, "tools/call", { name: ELICIT, arguments: {}, inputResponses, requestState }, { meta: withElicitation });
      expect(bad.body?.error?.code).toBe(-32602);
    }
    const ok = await modernPost(gw.url, "tools/call", { name: ELICIT, arguments: {}, inputResponses: { user_name: { action: "accept", content: { name: "Cy" } } }, requestState }, { meta: withElicitation });
    expect(textOf(ok.body?.result)).toBe("Hello, Cy!");
    const replay = await modernPost(gw.url, "tools/call", { name: ELICIT, arguments: {}, inputResponses: {}, requestState }, { meta: withElicitation });
    expect(replay.body?.error?.message).toBe("Invalid requestState: the call this requestState belongs to is no longer waiting (it ended, expired or was cancelled); send the request again without requestState");
  });

  it("answers -32021 (400) when a 2025 backend asks for a capability the caller did not declare", async () => {
    const answer = await modernPost(gw.url, "tools/call", { name: "legacy__test_missing_capability", arguments: {} }, { id: 6 });
    expect([answer.status, answer.body]).toEqual([
      400,
      {
        jsonrpc: "2.0",
        id: 6,
        error: {
          code: -32021,
          message:
            'Missing required client capability: sampling (server "legacy" asked for sampling/createMessage during tools/call "test_missing_capability"); declare "sampling" in io.modelcontextprotocol/clientCapabilities',
          data: { requiredCapabilities: { sampling: {} } },
        },
      },
    ]);
  });
});

describe("subscriptions/listen filters", () => {
  it.each([
    ["not an object", "x", '"params.notifications" must be an object (the notification filter)'],
    ["a flag that is not a boolean", { toolsListChanged: "yes" }, '"params.notifications.toolsListChanged" must be a boolean'],
    ["URIs that are not strings", { resourceSubscriptions: [1] }, '"params.notifications.resourceSubscriptions" must be an array of resource URIs (non-empty strings of at most 4096 characters)'],
    ["too many URIs", { resourceSubscriptions: Array.from({ length: 1001 }, (_, i) => `u://${i}`) }, '"params.notifications.resourceSubscriptions" lists 1001 URIs, over the limit of 1000'],
  ])("refuses %s with 400 and -32602", async (_label, notifications, why) => {
    const answer = await modernPost(gw.url, "subscriptions/listen", { notifications }, { id: 11 });
    expect([answer.status, answer.body]).toEqual([400, { jsonrpc: "2.0", id: 11, error: { code: -32602, message: `Invalid params: ${why}` } }]);
  });

  it("acknowledges an unknown filter field without honoring it (the acknowledgement first, tagged with the subscription id)", async () => {
    const controller = new AbortController();
    const res = await fetch(gw.url, {
      method: "POST",
      headers: modernHeaders("subscriptions/listen"),
      body: JSON.stringify({ jsonrpc: "2.0", id: "sub-1", method: "subscriptions/listen", params: { _meta: envelope(), notifications: { bogus: true, toolsListChanged: true } } }),
      signal: controller.signal,
    });
    expect([res.status, res.headers.get("content-type"), res.headers.get("x-accel-buffering")]).toEqual([200, "text/event-stream", "no"]);
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes("\n\n")) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(JSON.parse(text.split("\n").find((l) => l.startsWith("data: "))!.slice(6))).toEqual({
      jsonrpc: "2.0",
      method: "notifications/subscriptions/acknowledged",
      params: { notifications: { toolsListChanged: true }, _meta: { [META_KEYS.subscriptionId]: "sub-1" } },
    });
  });

  it("serves a valid request afterwards", async () => {
    const answer = await modernPost(gw.url, "tools/call", SIMPLE);
    expect([answer.status, answer.body?.result?.resultType, textOf(answer.body?.result)]).toEqual([200, "complete", "This is a simple text response for testing."]);
  });
});
