/**
 * What the gateway says about its protection: the protected resource metadata (RFC 9728) and the
 * `WWW-Authenticate` challenges of its 401 and 403 answers (RFC 6750 section 3, RFC 9728 section 5.1).
 */
import type { AuthConfig } from "../config/auth.js";

const WELL_KNOWN = "/.well-known/oauth-protected-resource";

/** The metadata paths served: the root form and the path-suffixed form of the resource (and of the endpoint path). */
export function metadataPaths(auth: AuthConfig, endpointPath: string): string[] {
  const paths = new Set([WELL_KNOWN]);
  for (const path of [auth.resource === undefined ? undefined : new URL(auth.resource).pathname, endpointPath]) {
    if (path !== undefined && path !== "/" && path !== "") paths.add(`${WELL_KNOWN}${path.replace(/\/+$/, "")}`);
  }
  return [...paths];
}

/** The URL of the metadata of the resource (the path-suffixed form, RFC 9728 section 3.1). */
export function metadataUrl(resource: string): string {
  const u = new URL(resource);
  const path = u.pathname.replace(/\/+$/, "");
  return `${u.origin}${WELL_KNOWN}${path}`;
}

/** The metadata document (only with oauth: it names the authorization server). */
export function protectedResourceMetadata(auth: AuthConfig): Record<string, unknown> | undefined {
  if (auth.mode !== "oauth" || auth.oauth === undefined || auth.resource === undefined) return undefined;
  const doc: Record<string, unknown> = {
    resource: auth.resource,
    authorization_servers: [auth.oauth.issuer],
    bearer_methods_supported: ["header"],
    resource_name: "mcp-fleet gateway",
  };
  if (auth.oauth.requiredScopes.length > 0) doc.scopes_supported = [...auth.oauth.requiredScopes];
  return doc;
}

/** Quoted-string content: no quote, no backslash, no control character. */
function quoted(text: string): string {
  let out = "";
  for (const c of text) if (c !== '"' && c !== "\\" && c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f) out += c;
  return out;
}

export interface Challenge {
  error?: "invalid_request" | "invalid_token" | "insufficient_scope";
  description?: string;
  scope?: string;
}

/** A `WWW-Authenticate: Bearer ...` value. */
export function challenge(auth: AuthConfig, c: Challenge = {}): string {
  const params: string[] = [];
  if (auth.mode === "oauth" && auth.resource !== undefined) params.push(`resource_metadata="${quoted(metadataUrl(auth.resource))}"`);
  else params.push('realm="mcp-fleet"');
  if (c.error !== undefined) params.push(`error="${c.error}"`);
  if (c.description !== undefined) params.push(`error_description="${quoted(c.description)}"`);
  if (c.scope !== undefined) params.push(`scope="${quoted(c.scope)}"`);
  return `Bearer ${params.join(", ")}`;
}
