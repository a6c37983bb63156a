/**
 * Capability fallback: a server's spec names, per tool, other servers that offer the same tool. When the server
 * cannot take a call (down, or every circuit open: the call never reached it), the call goes to the first
 * fallback whose tool has the identical input schema, checked now by hash of the schemas both backends list; the
 * client still sees the primary's exposed name. A fallback whose schema differs is refused and logged (once per
 * pair of hashes), since arguments made for one schema may mean something else to another.
 */
import type { Logger } from "../observability/logger.js";

export interface ToolSchemas {
  /** Hash of the input schema a server lists for one of its tools (by its own name), if it lists the tool. */
  inputSchemaHash(server: string, tool: string): string | undefined;
}

export class Fallbacks {
  private readonly refused = new Set<string>();

  constructor(
    private readonly schemas: ToolSchemas,
    private readonly logger: Logger,
  ) {}

  /** The server that serves `tool` in place of `server`, among `candidates`, or undefined. */
  target(server: string, tool: string, candidates: readonly string[] | undefined): string | undefined {
    if (candidates === undefined || candidates.length === 0) return undefined;
    const own = this.schemas.inputSchemaHash(server, tool);
    for (const other of candidates) {
      const theirs = this.schemas.inputSchemaHash(other, tool);
      if (theirs !== undefined && theirs === own) return other;
      const key = `${server}\n${other}\n${tool}\n${own}\n${theirs}`;
      if (!this.refused.has(key)) {
        if (this.refused.size > 10_000) this.refused.clear();
        this.refused.add(key);
        this.logger.warn(
          { server, tool, fallback: other, schemaHash: own, fallbackSchemaHash: theirs },
          theirs === undefined ? `fallback "${other}" does not list tool "${tool}"; not used` : `fallback "${other}" lists tool "${tool}" with another input schema; refused`,
        );
      }
    }
    return undefined;
  }
}
