/**
 * Progress of a long call, as MCP `notifications/progress` report it. On a terminal one line is redrawn in place
 * (`⠹ 3/5 (60%) Indexing`); piped, each notification is one plain line (`progress 3/5 (60%): Indexing`), so logs
 * keep every step. Written to stderr by the CLI, so stdout holds only the result.
 */
export interface ProgressUpdate {
  progress: number;
  total?: number;
  message?: string;
}

export interface ProgressView {
  update(update: ProgressUpdate): void;
  /** Clears the redrawn line (terminal) before the result is printed. */
  done(): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** `3/5 (60%)`, or `3` without a total. */
export function progressText({ progress, total, message }: ProgressUpdate): string {
  const amount = total !== undefined && total > 0 ? `${progress}/${total} (${Math.round((progress / total) * 100)}%)` : String(progress);
  return message !== undefined && message !== "" ? `${amount}: ${message}` : amount;
}

export function progressView(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, env: Readonly<Record<string, string | undefined>> = process.env): ProgressView {
  if (stream.isTTY !== true || env.TERM === "dumb") {
    return { update: (u) => void stream.write(`progress ${progressText(u)}\n`), done: () => undefined };
  }
  let frame = 0;
  let drawn = false;
  return {
    update(u) {
      const line = `${FRAMES[frame++ % FRAMES.length]} ${progressText(u)}`;
      // A terminal of unknown size (columns 0, as under `script`) counts as 80 wide.
      const width = Math.max(10, (stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80) - 1);
      stream.write(`\r\u001b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write("\r\u001b[2K");
      drawn = false;
    },
  };
}
