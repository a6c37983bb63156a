/**
 * What travels with a request from the front to the routes and on to the backends: who calls (the caller), in
 * which era and session, what the caller may see of the catalog, and, per JSON-RPC request, the call itself and
 * what it is about.
 * Fronts build a {@link RequestContext}; steps (steps/) may refine it (an identity, a narrower view); routes and
 * the upstream pool read it.
 */
import type { Span } from "@opentelemetry/api";
import type { JsonRpcId, JsonRpcMessage } from "./jsonrpc.js";
import type { Era } from "./protocol/era.js";
import type { ParamHeader } from "./protocol/headers.js";
import type { ModernEnvelope } from "./protocol/modern.js";
import type { InFlight, Session } from "./session/session.js";

/**
 * What one caller sees of the catalog: the aggregated lists and the lookups that route a request to its backend.
 * The registry (catalog/) is the whole catalog; a narrower view (per identity, from the access rules) answers a
 * hidden item exactly like a missing one, so routes never need to know why an item is absent.
 */
/** A listed item as clients see it (tool, resource, resource template, prompt). */
export type Item = Record<string, unknown> & { name?: string; uri?: string; uriTemplate?: string };

/** Where an exposed tool or prompt lives. */
export interface Target {
  server: string;
  /** The backend's own name of the tool or prompt. */
  name: string;
  /** Tools: annotated `readOnlyHint` or `idempotentHint`, so a call that failed mid-way may be sent again. */
  retrySafe?: boolean;
  /** Tool arguments mirrored into `Mcp-Param-*` headers (`x-mcp-header` in its schema), when it has any. */
  paramHeaders?: readonly ParamHeader[];
  /** A 2025 backend's tool that may (`optional`) or must (`required`) run as a task (its `execution.taskSupport`). */
  taskSupport?: "optional" | "required";
}

export interface CatalogView {
  readonly tools: readonly Item[];
  readonly resources: readonly Item[];
  readonly resourceTemplates: readonly Item[];
  readonly prompts: readonly Item[];
  /** The backend tool behind an exposed name, if this view shows it. */
  tool(exposed: string): Target | undefined;
  prompt(exposed: string): Target | undefined;
  /** The server that serves a resource URI (listed URIs first, then templates), if this view shows it. */
  resourceServer(uri: string): string | undefined;
}

/** What a request is about, once its route resolved it. `server` is set for everything a backend serves. */
export type Subject =
  /** Answered by the gateway itself (initialize, ping, lists, logging/setLevel, refusals). */
  | { kind: "gateway" }
  /** `name`: the backend's own name of the tool (the caller used its exposed name). */
  | { kind: "tool"; server: string; name: string }
  | { kind: "prompt"; server: string; name: string }
  | { kind: "resource"; server: string; uri: string }
  /** A task of a backend (tasks/get, result, cancel), behind the caller's handle. */
  | { kind: "task"; server: string; upstreamId: string; handle: string; endpoint?: string };

/** An authenticated identity. Set by an authentication step; the gateway without one has none. */
export interface Principal {
  /** Stable and unique per identity: an OAuth subject (with its issuer), or `apikey:<name>`. */
  readonly id: string;
  readonly kind: "oauth" | "apiKey";
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  /** For the record: the OAuth client id or the API key's name. */
  readonly name?: string;
  /** For the record: the OAuth subject (`sub`). */
  readonly subject?: string;
  /** A short hash of `id`: what sealed session ids and task handles carry to bind them to this identity. */
  readonly ref: string;
}

/** Who sends a request. */
export interface Caller {
  /** The client's address: the socket's peer, or the last untrusted hop of `X-Forwarded-For` behind trusted proxies. */
  readonly address: string;
  /** Who it authenticated as; `undefined` when the gateway does not authenticate. */
  principal: Principal | undefined;
  /**
   * The OAuth access token it presented, for RFC 8693 token exchange toward servers that ask for it (identity/).
   * Never logged, never sent to a backend as is.
   */
  accessToken?: string;
}

/** The key that per-client limits count by: the identity once authenticated, else the address. */
export function callerKey(caller: Caller): string {
  return caller.principal !== undefined ? `id:${caller.principal.id}` : `ip:${caller.address}`;
}

/** One HTTP request to the MCP endpoint, once classified. */
export interface RequestContext {
  /** The id on every log line of the request (the caller's `X-Request-Id`, when it looks like one). */
  readonly reqId: string;
  readonly era: Era;
  readonly caller: Caller;
  /** What this caller sees of the catalog, and so may call: every route reads the catalog through it. */
  view: CatalogView;
  /**
   * The W3C trace the request belongs to (observability/tracing.ts): its `traceId` goes on log lines and audit
   * records; `span` is the request's span when tracing is on. Unset when tracing is off and the caller sent none.
   */
  trace?: { readonly traceId: string; readonly span?: Span };
  /** A 2026-07-28 request: what its `_meta` says about the caller (capabilities, log level, client). */
  readonly modern?: ModernEnvelope;
}

/** One JSON-RPC request being served: the context routes and backends attach to what they do for it. */
export interface ClientCall extends InFlight {
  readonly ctx: RequestContext;
  /** The session it belongs to (a per-request one when the gateway runs without sessions). */
  readonly session: Session;
  readonly clientId: JsonRpcId;
  /** Sends a message on the stream that answers this request (progress, logging, requests to the client). */
  forward(message: JsonRpcMessage): void;
  /** A `tasks/result` call: the task it waits for (requests the backend sends about that task go on this call's stream). */
  waitsForTask?: { server: string; upstreamId: string };
  /**
   * A backend call parked until its 2026-07-28 caller sends the input it was asked for: the backend waits for the
   * answers, so a new request from it is another call's (attribution skips this one).
   */
  waitingForInput?: boolean;
}
