/**
 * The head of an HTTP/1.1 request (RFC 9112): request line and header fields, parsed strictly. Anything a lenient
 * parser would have to guess about (bare CR, whitespace before a colon, folded lines, conflicting or repeated
 * framing headers, unknown transfer codings) is refused, so that the gateway and a proxy in front of it can never
 * disagree on where a request ends (request smuggling).
 */

/** A parsed request head. Header names are lowercase; repeated fields are joined with ", " (cookie: "; "). */
export interface RequestHead {
  method: string;
  /** The request target as sent (origin-form `/mcp?x=1`, or absolute-form). */
  url: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minorVersion: 0 | 1;
  headers: Record<string, string>;
  /** How the body is framed. */
  body: { kind: "none" } | { kind: "length"; length: number } | { kind: "chunked" };
  /** The client asked for `Expect: 100-continue`. */
  expectContinue: boolean;
  /** The connection may carry another request after this one (HTTP/1.1 default; 1.0 with keep-alive). */
  keepAlive: boolean;
}

/** Why a head was refused: the status to answer (the connection is closed after it) and a reason for the body. */
export interface HeadError {
  status: 400 | 431 | 501 | 505;
  reason: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field values: visible ASCII, obs-text, space and tab; no CR, LF or NUL. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Request targets: visible ASCII only (no spaces, no controls). */
const TARGET = /^[\x21-\x7e]+$/;
const CONTENT_LENGTH = /^[0-9]{1,15}$/;

/** Fields that must appear at most once (repeats are refused rather than merged). */
// Authorization is not here: two of them arrive joined by ", ", which the authentication step refuses with 401 and
// its challenge (auth/bearer.ts), the answer RFC 6750 clients act on.
const SINGLE = new Set(["host", "content-length", "transfer-encoding", "content-type", "mcp-session-id", "mcp-protocol-version"]);

function fail(status: HeadError["status"], reason: string): HeadError {
  return { status, reason };
}

/**
 * Parses the bytes before the blank line that ends a head (`text` excludes the final CRLF CRLF), decoded as
 * latin1. Returns the head, or the error to answer.
 */
export function parseHead(text: string): RequestHead | HeadError {
  const lines = text.split("\r\n");
  const requestLine = lines[0] ?? "";
  if (requestLine.includes("\r") || requestLine.includes("\n")) return fail(400, "bare CR or LF in the request line");
  const firstSpace = requestLine.indexOf(" ");
  const lastSpace = requestLine.lastIndexOf(" ");
  if (firstSpace <= 0 || lastSpace === firstSpace) return fail(400, "malformed request line");
  const method = requestLine.slice(0, firstSpace);
  const url = requestLine.slice(firstSpace + 1, lastSpace);
  const version = requestLine.slice(lastSpace + 1);
  if (!TOKEN.test(method)) return fail(400, "malformed method");
  if (!TARGET.test(url)) return fail(400, "malformed request target");
  let minorVersion: 0 | 1;
  if (version === "HTTP/1.1") minorVersion = 1;
  else if (version === "HTTP/1.0") minorVersion = 0;
  else if (/^HTTP\/[0-9]\.[0-9]$/.test(version)) return fail(505, `${version} is not supported; use HTTP/1.1`);
  else return fail(400, "malformed HTTP version");

  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") return fail(400, "empty header line");
    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) return fail(400, "obsolete line folding is not accepted");
    const colon = line.indexOf(":");
    if (colon <= 0) return fail(400, "header line without a name");
    const rawName = line.slice(0, colon);
    if (!TOKEN.test(rawName)) return fail(400, `malformed header name "${rawName.slice(0, 40)}"`);
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    if (!FIELD_VALUE.test(value)) return fail(400, `bad character in header "${rawName.slice(0, 40)}"`);
    const name = rawName.toLowerCase();
    const previous = headers[name];
    if (previous === undefined) headers[name] = value;
    else if (SINGLE.has(name)) return fail(400, `repeated "${name}" header`);
    else headers[name] = `${previous}${name === "cookie" ? "; " : ", "}${value}`;
  }

  if (minorVersion === 1 && headers.host === undefined) return fail(400, "HTTP/1.1 requests need a Host header");

  let body: RequestHead["body"] = { kind: "none" };
  const te = headers["transfer-encoding"];
  const cl = headers["content-length"];
  if (te !== undefined) {
    if (cl !== undefined) return fail(400, "both Content-Length and Transfer-Encoding");
    if (minorVersion === 0) return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    if (te.toLowerCase() !== "chunked") return fail(501, `Transfer-Encoding "${te.slice(0, 40)}" is not supported; send chunked or Content-Length`);
    body = { kind: "chunked" };
  } else if (cl !== undefined) {
    if (!CONTENT_LENGTH.test(cl)) return fail(400, "malformed Content-Length");
    const length = Number(cl);
    if (length > 0) body = { kind: "length", length };
  }

  const connection = headers.connection?.toLowerCase();
  const tokens = connection === undefined ? [] : connection.split(",").map((t) => t.trim());
  const keepAlive = minorVersion === 1 ? !tokens.includes("close") : tokens.includes("keep-alive");
  const expect = headers.expect?.toLowerCase();
  return { method, url, minorVersion, headers, body, expectContinue: minorVersion === 1 && expect === "100-continue", keepAlive };
}

export function isHeadError(value: RequestHead | HeadError): value is HeadError {
  return (value as HeadError).status !== undefined;
}
