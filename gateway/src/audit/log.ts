/**
 * The audit log file: records appended in order as JSON lines, each chained to the one before (audit/chain.ts). A
 * restarted gateway continues the chain of the file it finds. Writes go through one append stream (no sync I/O per
 * call); a write error is logged once and the gateway keeps serving.
 */
import { closeSync, createWriteStream, existsSync, fstatSync, openSync, readSync, type WriteStream } from "node:fs";
import type { Logger } from "../observability/logger.js";
import { GENESIS, chainLine, lineHash } from "./chain.js";

/** The hash of the last record of a file (its chain goes on from there), or the genesis. */
function lastHash(file: string): string {
  if (!existsSync(file)) return GENESIS;
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 1 << 20);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString("utf8").split("\n").filter((l) => l !== "");
    const last = lines.at(-1);
    return last === undefined ? GENESIS : (lineHash(last) ?? GENESIS);
  } finally {
    closeSync(fd);
  }
}

export class AuditLog {
  private prev: string;
  private readonly out: WriteStream;
  private failed = false;

  constructor(
    file: string,
    private readonly key: Buffer | undefined,
    logger: Logger,
  ) {
    this.prev = lastHash(file);
    this.out = createWriteStream(file, { flags: "a" });
    this.out.on("error", (error) => {
      if (!this.failed) logger.error({ err: error.message, file }, "audit log cannot be written");
      this.failed = true;
    });
  }

  append(record: Record<string, unknown>): void {
    const { line, hash } = chainLine(record, this.prev, this.key);
    this.prev = hash;
    this.out.write(`${line}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}
