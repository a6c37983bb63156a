/**
 * Incremental decoder of a chunked request body (RFC 9112 section 7.1): chunk sizes in hex, chunk extensions
 * ignored, trailer fields read and dropped. Strict: lines end in CRLF, sizes are bounded, and every malformed
 * byte is an error (the connection is then closed).
 */

const MAX_LINE = 1024;
const MAX_TRAILERS = 8 * 1024;
const HEX = /^[0-9A-Fa-f]{1,15}$/;
const CR = 0x0d;
const LF = 0x0a;

type State = "size" | "data" | "data-cr" | "data-lf" | "trailers" | "done";

export class ChunkedDecoder {
  private state: State = "size";
  private remaining = 0;
  private line = "";
  private trailerBytes = 0;
  /** Why decoding failed; set once, after which nothing more is consumed. */
  error: string | undefined;

  get done(): boolean {
    return this.state === "done";
  }

  /**
   * Consumes bytes of `buf` from `offset`; hands each piece of body data to `onData`. Returns the offset after the
   * last byte consumed: the end of the body once `done`, `buf.length` when more is needed, or where it failed.
   */
  decode(buf: Buffer, offset: number, onData: (data: Buffer) => void): number {
    let i = offset;
    while (i < buf.length && this.error === undefined && this.state !== "done") {
      switch (this.state) {
        case "data": {
          const take = Math.min(this.remaining, buf.length - i);
          onData(buf.subarray(i, i + take));
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = "data-cr";
          break;
        }
        case "data-cr":
        case "data-lf": {
          const expected = this.state === "data-cr" ? CR : LF;
          if (buf[i] !== expected) {
            this.error = "chunk data must be followed by CRLF";
            break;
          }
          i += 1;
          this.state = this.state === "data-cr" ? "data-lf" : "size";
          break;
        }
        default: {
          // "size" or "trailers": a line ending in CRLF.
          const lf = buf.indexOf(LF, i);
          const end = lf === -1 ? buf.length : lf + 1;
          this.line += buf.toString("latin1", i, end);
          if (this.state === "trailers") this.trailerBytes += end - i;
          i = end;
          if (this.line.length > MAX_LINE || this.trailerBytes > MAX_TRAILERS) {
            this.error = this.state === "size" ? "chunk size line too long" : "trailer section too large";
            break;
          }
          if (lf === -1) break;
          if (this.line.length < 2 || this.line.charCodeAt(this.line.length - 2) !== CR || this.line.indexOf("\r") !== this.line.length - 2) {
            this.error = "chunked body lines must end in CRLF";
            break;
          }
          const text = this.line.slice(0, -2);
          this.line = "";
          if (this.state === "trailers") {
            if (text === "") this.state = "done";
            break;
          }
          const semicolon = text.indexOf(";");
          const size = (semicolon === -1 ? text : text.slice(0, semicolon)).trim();
          if (!HEX.test(size)) {
            this.error = "malformed chunk size";
            break;
          }
          this.remaining = parseInt(size, 16);
          this.state = this.remaining === 0 ? "trailers" : "data";
        }
      }
    }
    return i;
  }
}
