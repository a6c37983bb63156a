/**
 * The arguments of `mcp-fleet call <tool>`: `--args '{"a":1}'` (a JSON object) and/or `key=value` words, the words
 * winning. A word's value is read by the type the tool's input schema gives its property (`a=1` is the number 1
 * for a `number` property and the text "1" for a `string` one); without a schema, JSON when it parses, else text.
 */
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { CliError } from "../errors.js";

type Schema = { type?: string | string[]; properties?: Record<string, { type?: string | string[] }> };

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** One `key=value` value, read by the schema type of `key`. */
export function coerceValue(key: string, raw: string, type: string | string[] | undefined): unknown {
  const types = type === undefined ? [] : Array.isArray(type) ? type : [type];
  if (types.includes("string")) return raw;
  const fail = (expected: string, example: string) =>
    new CliError(`argument ${key}=${raw}: ${key} is ${expected} in the tool's input schema. Write e.g. ${key}=${example}, or pass --args JSON.`);
  if (types.includes("number") || types.includes("integer")) {
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n)) throw fail(`a ${types.includes("integer") ? "integer" : "number"}`, "3");
    return n;
  }
  if (types.includes("boolean")) {
    if (raw === "true") return true;
    if (raw === "false") return false;
    throw fail("a boolean", "true");
  }
  const parsed = parseJson(raw);
  if (types.includes("object") || types.includes("array")) {
    if (!parsed.ok) throw fail(`an ${types.includes("object") ? "object" : "array"}`, types.includes("object") ? "'{\"k\":1}'" : "'[1,2]'");
    return parsed.value;
  }
  return parsed.ok ? parsed.value : raw;
}

/** The call's `arguments` from `--args` and the `key=value` words, checked against the tool's schema types. */
export function buildArguments(argsJson: string | undefined, words: readonly string[], tool: Pick<Tool, "inputSchema"> | undefined): Record<string, unknown> {
  let base: Record<string, unknown> = {};
  if (argsJson !== undefined) {
    const parsed = parseJson(argsJson);
    if (!parsed.ok || typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)) {
      throw new CliError(`--args must be a JSON object, e.g. --args '{"message":"hi"}' (got ${JSON.stringify(argsJson.slice(0, 80))}).`);
    }
    base = parsed.value as Record<string, unknown>;
  }
  const properties = (tool?.inputSchema as Schema | undefined)?.properties ?? {};
  const out: Record<string, unknown> = { ...base };
  for (const word of words) {
    const eq = word.indexOf("=");
    if (eq <= 0) throw new CliError(`argument ${JSON.stringify(word)} is not key=value. Write e.g. message=hi, or pass --args JSON.`);
    const key = word.slice(0, eq);
    out[key] = coerceValue(key, word.slice(eq + 1), properties[key]?.type);
  }
  return out;
}
