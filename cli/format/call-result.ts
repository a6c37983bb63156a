/**
 * A `tools/call` result as people read it: text as text, binary content as a one-line note (kind, MIME type, size),
 * resource links and embedded resources by URI, structured content as indented JSON.
 *
 *   Hello, Ada!
 *   [image: image/png, 1,234 bytes]
 *   structured content:
 *   { "sum": 3 }
 */
import type { CallToolResult, ContentBlock } from "@modelcontextprotocol/sdk/types.js";

/** Bytes of a base64 string, without decoding it. */
export function base64Bytes(data: string): number {
  const clean = data.replace(/\s+/g, "");
  const padding = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

const bytes = (n: number) => `${n.toLocaleString("en-US")} byte${n === 1 ? "" : "s"}`;

function renderBlock(block: ContentBlock): string {
  switch (block.type) {
    case "text":
      return block.text;
    case "image":
    case "audio":
      return `[${block.type}: ${block.mimeType}, ${bytes(base64Bytes(block.data))}]`;
    case "resource_link":
      return `[resource link: ${block.uri}${block.name !== "" ? ` (${block.name})` : ""}${block.mimeType !== undefined ? `, ${block.mimeType}` : ""}]`;
    case "resource": {
      const r = block.resource;
      const mime = r.mimeType !== undefined ? `, ${r.mimeType}` : "";
      if ("text" in r && typeof r.text === "string") return `[resource: ${r.uri}${mime}]\n${r.text}`;
      return `[resource: ${r.uri}${mime}, ${bytes(base64Bytes((r as { blob: string }).blob))}]`;
    }
    default:
      return `[${(block as { type: string }).type} content]`;
  }
}

/** The result as lines of text (no trailing newline). */
export function renderCallResult(result: CallToolResult): string {
  const parts = (result.content ?? []).map(renderBlock);
  if (result.structuredContent !== undefined) parts.push(`structured content:\n${JSON.stringify(result.structuredContent, null, 2)}`);
  if (parts.length === 0) parts.push("(no content)");
  return parts.join("\n");
}
