import { describe, expect, it } from "vitest";
import { base64Bytes, renderCallResult } from "./call-result.js";

describe("base64Bytes", () => {
  it("counts decoded bytes, padding included", () => {
    for (const text of ["", "a", "ab", "abc", "abcd", "hello world!"]) expect(base64Bytes(Buffer.from(text).toString("base64"))).toBe(text.length);
  });
});

describe("renderCallResult", () => {
  it("prints text, notes binary content with its type and size, and structured content as JSON", () => {
    const png = Buffer.alloc(1234).toString("base64");
    expect(
      renderCallResult({
        content: [
          { type: "text", text: "Here it is:" },
          { type: "image", mimeType: "image/png", data: png },
          { type: "audio", mimeType: "audio/wav", data: Buffer.alloc(1).toString("base64") },
          { type: "resource_link", uri: "demo://a", name: "A", mimeType: "text/plain" },
          { type: "resource", resource: { uri: "demo://t", mimeType: "text/plain", text: "inside" } },
          { type: "resource", resource: { uri: "demo://b", blob: Buffer.alloc(3).toString("base64") } },
        ],
        structuredContent: { sum: 3 },
      }),
    ).toBe(
      [
        "Here it is:",
        "[image: image/png, 1,234 bytes]",
        "[audio: audio/wav, 1 byte]",
        "[resource link: demo://a (A), text/plain]",
        "[resource: demo://t, text/plain]",
        "inside",
        "[resource: demo://b, 3 bytes]",
        "structured content:",
        '{\n  "sum": 3\n}',
      ].join("\n"),
    );
  });

  it("says so when there is nothing to print", () => {
    expect(renderCallResult({ content: [] })).toBe("(no content)");
  });
});
