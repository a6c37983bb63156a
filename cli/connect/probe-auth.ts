/**
 * Which auth a gateway asks for, from one unauthenticated request to its MCP endpoint (a JSON-RPC `ping` outside any
 * session, so no session is created):
 * - 401 with `WWW-Authenticate: Bearer resource_metadata="..."` (RFC 9728): OAuth; clients discover the
 *   authorization server from that metadata;
 * - 401 without it: a bearer credential the client must bring, i.e. an API key;
 * - anything else: none.
 */
import type { AuthMode } from "./clients.js";

export interface ProbeResult {
  auth: AuthMode;
  /** What was seen, for the message to the user. */
  evidence: string;
}

/** The `resource_metadata` URL of a `WWW-Authenticate: Bearer ...` challenge, if it has one. */
export function resourceMetadataOf(challenge: string | null): string | undefined {
  if (challenge === null || !/^\s*Bearer\b/i.test(challenge)) return undefined;
  return /resource_metadata\s*=\s*"([^"]*)"/i.exec(challenge)?.[1] ?? /resource_metadata\s*=\s*([^\s,]+)/i.exec(challenge)?.[1];
}

export async function probeAuth(url: URL, timeoutMs = 5000): Promise<ProbeResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { auth: "none", evidence: `no answer from ${url.href} (${cause?.code ?? (error as Error).message}); assuming no auth` };
  }
  await response.body?.cancel();
  if (response.status !== 401) return { auth: "none", evidence: `${url.href} answered HTTP ${response.status} without credentials` };
  const metadata = resourceMetadataOf(response.headers.get("www-authenticate"));
  return metadata !== undefined
    ? { auth: "oauth", evidence: `${url.href} answered 401 with OAuth protected resource metadata at ${metadata}` }
    : { auth: "api-key", evidence: `${url.href} answered 401 without OAuth metadata` };
}
