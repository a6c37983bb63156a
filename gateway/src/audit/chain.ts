/**
 * The audit log's hash chain. Each record is one JSON line whose `prev` is the previous record's `hash` (the first
 * record's is {@link GENESIS}) and whose `hash`, written last, is SHA-256 (or HMAC-SHA256 with the audit key) of the
 * line before it: `<record with prev>` then `,"hash":"<hex>"}`. So an edited record no longer matches its hash, and
 * a removed or reordered one breaks the next record's `prev`. Without a key, anyone can recompute a chain after an
 * edit: the key (`audit.keyFromEnv`) makes the chain a MAC. The file's end is not anchored: dropping the last
 * records is only visible against a copy shipped elsewhere (logs, a SIEM).
 */
import { createHash, createHmac } from "node:crypto";

export const GENESIS = "0".repeat(64);
const HASH_SUFFIX = /,"hash":"([0-9a-f]{64})"\}$/;

export function chainHash(body: string, key: Buffer | undefined): string {
  return (key === undefined ? createHash("sha256") : createHmac("sha256", key)).update(body).digest("hex");
}

/** The line of a record (without `prev` and `hash`) after the record whose hash is `prev`, and its hash. */
export function chainLine(record: Record<string, unknown>, prev: string, key: Buffer | undefined): { line: string; hash: string } {
  const body = JSON.stringify({ ...record, prev });
  const hash = chainHash(body, key);
  return { line: `${body.slice(0, -1)},"hash":"${hash}"}`, hash };
}

/** The hash a line ends with, if it ends like a record. */
export function lineHash(line: string): string | undefined {
  return HASH_SUFFIX.exec(line)?.[1];
}

export type Verification = { ok: true; records: number } | { ok: false; line: number; problem: string };

/** Checks a whole log (JSON lines): every record's hash, and that each names the one before it. */
export function verifyChain(text: string, key?: Buffer): Verification {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  let prev = GENESIS;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const n = i + 1;
    const match = HASH_SUFFIX.exec(line);
    if (match === null) return { ok: false, line: n, problem: "is not an audit record (no hash at its end)" };
    const body = `${line.slice(0, match.index)}}`;
    let record: { prev?: unknown };
    try {
      record = JSON.parse(body) as { prev?: unknown };
    } catch {
      return { ok: false, line: n, problem: "is not valid JSON" };
    }
    if (chainHash(body, key) !== match[1]) return { ok: false, line: n, problem: "was edited: its hash does not match its content" };
    if (record.prev !== prev) {
      return { ok: false, line: n, problem: i === 0 ? "does not start the chain: records before it were removed" : "does not follow the record before it: a record was removed or reordered" };
    }
    prev = match[1]!;
  }
  return { ok: true, records: lines.length };
}
