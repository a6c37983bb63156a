/**
 * Turns zod issues on a server spec into catalog problems of one shape:
 * ``<file>: `<field>` <what is wrong>. <fix>.``
 * The wording of values, types and checks (`show`, `typeName`, `expectedName`, `messageOf`) is shared with the
 * stack config's problems (stacks/config-problems.ts).
 */
import { type z } from "zod";

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/** What to do about a bad value, by field (array indices and record keys written `[]`). */
const FIXES: Record<string, string> = {
  name: "Use lowercase letters, digits and '-', e.g. billing-tools",
  description: "Write one line on what the server is for",
  owner: "Use the owning team's name in kebab-case, e.g. platform",
  port: "Pick a free port between 1024 and 65535, e.g. 3106",
  transport: 'Describe how the server runs, e.g. { type: "stdio", command: "node", args: ["server.js"] }',
  "transport.command": 'Set the executable to run, e.g. "node"',
  "transport.args": "Use a list of strings",
  "transport.args[]": "Use a list of strings",
  "transport.env": "Use UPPER_SNAKE_CASE names with string values",
  "transport.env[]": "Use UPPER_SNAKE_CASE names with string values",
  "transport.url": "Use the server's http:// or https:// endpoint, e.g. https://mcp.example.com/mcp",
  "transport.image": "Use a pinned image reference such as ghcr.io/org/server:1.2.0",
  "transport.path": 'Use a path such as "/mcp"',
  env: "Use UPPER_SNAKE_CASE names with string values",
  "env[]": "Use UPPER_SNAKE_CASE names with string values",
  secrets: "List secret names in UPPER_SNAKE_CASE; values never live in the spec",
  "secrets[]": "List secret names in UPPER_SNAKE_CASE; values never live in the spec",
  "resources.requests.cpu": 'Use a CPU quantity such as "100m"',
  "resources.limits.cpu": 'Use a CPU quantity such as "500m"',
  "resources.requests.memory": 'Use a memory quantity such as "64Mi"',
  "resources.limits.memory": 'Use a memory quantity such as "256Mi"',
  replicas: "Use a whole number from 0 to 100",
  tools: "Use { allow: [...], deny: [...] } with tool-name globs",
  "tools.allow": 'Use a list of tool-name globs, e.g. ["read_*"]',
  "tools.deny": 'Use a list of tool-name globs, e.g. ["delete_*"]',
  "tools.allow[]": "Use a tool-name glob of letters, digits, '_', '-', '*' and '?'",
  "tools.deny[]": "Use a tool-name glob of letters, digits, '_', '-', '*' and '?'",
  labels: "Use string keys and string values",
  "labels[]": "Use string keys and string values",
  "healthCheck.intervalSeconds": "Use a positive whole number of seconds",
  "healthCheck.timeoutSeconds": "Use a positive whole number of seconds",
  "healthCheck.failureThreshold": "Use a positive whole number",
  timeoutMs: "Use a positive whole number of milliseconds, e.g. 30000",
  isolation: 'Use "shared" or "session"',
  protocol: 'Use "auto" (probe, then fall back to 2025-11-25), "2025-11-25" or "2026-07-28"',
  "slo.errorRatio": "Use a ratio between 0 and 1, e.g. 0.01",
  "slo.p99LatencySeconds": "Use a positive number of seconds, e.g. 2",
};
const GENERIC_FIX = "See the field's documentation in servers/catalog/spec.ts";

/** `transport.args[0]`, `env.API_KEY` style. */
export function formatPath(path: readonly PathKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    "",
  );
}

/** The key of {@link FIXES} for a path: indices and record keys become `[]`. */
function fixKey(path: readonly PathKey[]): string {
  let out = "";
  for (const [i, key] of path.entries()) {
    const parent = formatPath(path.slice(0, i));
    const isEntry = typeof key === "number" || ["env", "transport.env", "labels"].includes(parent);
    out = isEntry ? `${out}[]` : out ? `${out}.${String(key)}` : String(key);
  }
  return out;
}

function fixFor(path: readonly PathKey[]): string {
  return FIXES[fixKey(path)] ?? FIXES[fixKey(path.slice(0, -1))] ?? GENERIC_FIX;
}

/** The value at `path` of `input` (undefined where there is none). */
export function valueAt(input: unknown, path: readonly PathKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** A value as it would be written in a spec, shortened. */
export function show(value: unknown): string {
  const text =
    typeof value === "string"
      ? JSON.stringify(value)
      : typeof value === "object" && value !== null
        ? JSON.stringify(value)
        : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** What a value is, in words: `a string`, `a list`, `a fraction`, ... */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "number" && !Number.isInteger(value)) return "a fraction";
  return `a ${typeof value}`;
}

/** What zod expected (`issue.expected`), in words. */
export function expectedName(expected: string): string {
  return EXPECTED[expected] ?? expected;
}

const EXPECTED: Record<string, string> = {
  int: "a whole number",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  object: "an object",
  array: "a list",
  record: "an object",
};

function problem(file: string, field: string, what: string, fix: string): string {
  return `${file}: \`${field || "default export"}\` ${what}. ${fix}.`;
}

/** One catalog problem per zod issue (several for unknown keys). */
export function issueToProblems(file: string, input: unknown, issue: Issue): string[] {
  const path = issue.path as PathKey[];
  const field = formatPath(path);
  const value = valueAt(input, path);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) =>
        problem(
          file,
          formatPath([...path, key]),
          "is not a field of a server spec",
          "Remove it or fix its spelling (fields are documented in servers/catalog/spec.ts)",
        ),
      );
    case "invalid_union": {
      const options = "options" in issue && Array.isArray(issue.options) ? (issue.options as unknown[]) : undefined;
      if (options && path.at(-1) === "type" && path.length === 2 && path[0] === "transport") {
        const what = value === undefined ? "is missing" : `${show(value)} is not a transport`;
        return [problem(file, field, what, `Use one of ${options.join(", ")}`)];
      }
      if (options) return [problem(file, field, `${show(value)} is not one of ${options.join(", ")}`, fixFor(path))];
      return [problem(file, field, issue.message, fixFor(path))];
    }
    case "invalid_type": {
      const expected = expectedName(issue.expected);
      if (value === undefined) return [problem(file, field, "is missing", `Add it: ${lowerFirst(fixFor(path))}`)];
      return [problem(file, field, `must be ${expected}, not ${typeName(value)} (${show(value)})`, fixFor(path))];
    }
    case "invalid_key": {
      const key = path.at(-1);
      const inner = issue.issues[0]?.message ?? "is not a valid key";
      return [problem(file, field, `name ${show(key)} ${inner}`, fixFor(path))];
    }
    case "invalid_value":
      return [
        problem(
          file,
          field,
          `${show(value)} is not one of ${issue.values.map((v) => show(v)).join(", ")}`,
          fixFor(path),
        ),
      ];
    default:
      return [problem(file, field, `${show(value)} ${messageOf(issue)}`, fixFor(path))];
  }
}

/** zod's own English for checks the spec schema gave no message ("Too big: expected number to be <=100"). */
export function messageOf(issue: Issue): string {
  if (issue.message.startsWith("must")) return issue.message;
  if (issue.code === "too_small" && issue.origin === "number")
    return `must be at least ${String(issue.minimum)}${issue.inclusive ? "" : " (exclusive)"}`;
  if (issue.code === "too_big" && issue.origin === "number")
    return `must be at most ${String(issue.maximum)}${issue.inclusive ? "" : " (exclusive)"}`;
  if (issue.code === "too_big" && issue.origin === "string")
    return `must be at most ${String(issue.maximum)} characters`;
  return lowerFirst(issue.message);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
