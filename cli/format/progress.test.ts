import { describe, expect, it } from "vitest";
import { progressText, progressView } from "./progress.js";

function sink(isTTY: boolean, columns = 40) {
  const chunks: string[] = [];
  return { chunks, stream: Object.assign({ write: (c: string) => (chunks.push(c), true) }, isTTY ? { isTTY: true, columns } : {}) as unknown as NodeJS.WritableStream & { isTTY?: boolean } };
}

describe("progressText", () => {
  it("shows the fraction and percentage when a total is known, and the message", () => {
    expect(progressText({ progress: 3, total: 5 })).toBe("3/5 (60%)");
    expect(progressText({ progress: 3, total: 5, message: "Indexing" })).toBe("3/5 (60%): Indexing");
    expect(progressText({ progress: 7 })).toBe("7");
  });
});

describe("progressView", () => {
  it("writes one plain line per notification when piped", () => {
    const { chunks, stream } = sink(false);
    const view = progressView(stream, {});
    view.update({ progress: 1, total: 2 });
    view.update({ progress: 2, total: 2 });
    view.done();
    expect(chunks.join("")).toBe("progress 1/2 (50%)\nprogress 2/2 (100%)\n");
  });

  it("redraws one line on a terminal and clears it when done", () => {
    const { chunks, stream } = sink(true);
    const view = progressView(stream, {});
    view.update({ progress: 1, total: 2 });
    view.update({ progress: 2, total: 2, message: "a message far too long to fit the forty columns of this terminal" });
    view.done();
    expect(chunks).toEqual(["\r\u001b[2K⠋ 1/2 (50%)", "\r\u001b[2K⠙ 2/2 (100%): a message far too long t…", "\r\u001b[2K"]);
  });

  it("takes a terminal of unknown width (0 columns) as 80 wide", () => {
    const { chunks, stream } = sink(true, 0);
    progressView(stream, {}).update({ progress: 1, total: 4 });
    expect(chunks).toEqual(["\r\u001b[2K⠋ 1/4 (25%)"]);
  });
});
