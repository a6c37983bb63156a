/**
 * Exposed names: `<server><separator><name>`, always matching `EXPOSED_NAME_PATTERN` (config.ts).
 *
 * Rule (stable, collision-free): a name that fits is used as is. A name that does not fit (too long, or with
 * characters outside `[a-zA-Z0-9_-]`) becomes its first 55 characters with every other character replaced by `_`,
 * then `-` and the first 8 hex digits of SHA-256 of the full unshortened name. The same input always gives the same
 * output; different inputs differ in the hash suffix (the registry still rejects the astronomically unlikely clash).
 */
import { createHash } from "node:crypto";
import { EXPOSED_NAME_PATTERN, MAX_EXPOSED_NAME_LENGTH } from "../config.js";

const HASH_LENGTH = 8;

export function shortenName(full: string): string {
  if (EXPOSED_NAME_PATTERN.test(full)) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, HASH_LENGTH);
  const head = full.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, MAX_EXPOSED_NAME_LENGTH - HASH_LENGTH - 1);
  return `${head}-${hash}`;
}

export interface NamingOptions {
  separator: string;
  passthrough: boolean;
}

/** The name clients see for `name` of `server`. */
export function exposedName(server: string, name: string, naming: NamingOptions): string {
  return shortenName(naming.passthrough ? name : `${server}${naming.separator}${name}`);
}
