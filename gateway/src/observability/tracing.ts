/**
 * OpenTelemetry traces: a span for each HTTP request to the MCP endpoint, one for each JSON-RPC request it carries
 * (the route), and one for each attempt sent to a backend. W3C trace context comes from the request's
 * `traceparent`/`tracestate` headers, or, per JSON-RPC request, from `params._meta.traceparent`/`tracestate` (the
 * 2026-07-28 convention, which wins for that request); it goes on to backends in `_meta` and, for HTTP backends,
 * in the `traceparent` header too. Spans are exported over OTLP/HTTP (`tracing.endpoint`) in batches.
 *
 * Off (no endpoint) it costs nothing: the OpenTelemetry SDK is not even loaded (otel.ts is imported only when an
 * endpoint is set), no span object is made; the rooms check for a `Tracing` before anything. A caller's `traceparent` header still names the trace in log lines and audit records
 * ({@link traceOfHeaders}), read only when the header is there.
 */
import type { Span, SpanContext } from "@opentelemetry/api";
import type { GatewayConfig } from "../config.js";

/** The trace a request belongs to, on its context (logs and audit records name `traceId`). */
export interface RequestTrace {
  readonly traceId: string;
  /** The request's span, when tracing is on. */
  readonly span?: Span;
}

export interface TraceParent {
  traceId: string;
  spanId: string;
  /** Trace flags (bit 0: sampled). */
  flags: number;
  state?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A W3C `traceparent` value (version 00, or a later one read as 00), or undefined when it is not one. */
export function parseTraceparent(value: unknown, state?: unknown): TraceParent | undefined {
  if (typeof value !== "string" || value.length > 128) return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (m === null || m[1] === "ff" || /^0+$/.test(m[2]!) || /^0+$/.test(m[3]!)) return undefined;
  const parent: TraceParent = { traceId: m[2]!, spanId: m[3]!, flags: parseInt(m[4]!, 16) };
  if (typeof state === "string" && state.length > 0 && state.length <= 512) parent.state = state;
  return parent;
}

export function formatTraceparent(context: Pick<SpanContext, "traceId" | "spanId" | "traceFlags">): string {
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

/** The trace named by a request's headers (tracing off: for log lines only), or undefined. */
export function traceOfHeaders(headers: Readonly<Record<string, string | undefined>>): RequestTrace | undefined {
  const header = headers.traceparent;
  if (header === undefined) return undefined;
  const parent = parseTraceparent(header);
  return parent === undefined ? undefined : { traceId: parent.traceId };
}

type TracingConfig = GatewayConfig["tracing"];

/** What the rooms call when tracing is on (otel.ts implements it with the OpenTelemetry SDK). */
export interface Tracing {
  /** The span of one HTTP request to the MCP endpoint (ended by the caller). */
  request(method: string, path: string, headers: Readonly<Record<string, string | undefined>>): RequestTrace;
  /** The span of one JSON-RPC request: child of its `_meta.traceparent` when it has one, else of the HTTP request's span. */
  route(method: string, meta: unknown, request: RequestTrace | undefined, attributes: Record<string, string>): Span;
  /** The span of one attempt sent to a backend, and the params carrying its trace context on (`_meta`). */
  upstream(route: Span | undefined, method: string, params: Record<string, unknown>, attributes: Record<string, string>): { span: Span; params: Record<string, unknown> };
  /** Exports what is left and stops. */
  close(): Promise<void>;
}

/** OpenTelemetry's `SpanStatusCode.ERROR` (a constant of the API: no runtime import for it). */
const STATUS_ERROR = 2;

/** Ends a span with the outcome of what it covered. */
export function endSpan(span: Span, error: { code: number; message: string } | undefined): void {
  if (error !== undefined) {
    span.setAttribute("rpc.jsonrpc.error_code", error.code);
    span.setStatus({ code: STATUS_ERROR, message: error.message });
  }
  span.end();
}

/** The tracing a config asks for: none without an endpoint (and then the SDK is not loaded). */
export async function createTracing(config: TracingConfig): Promise<Tracing | undefined> {
  if (config.endpoint === undefined) return undefined;
  const { OtelTracing } = await import("./otel.js");
  return new OtelTracing({ ...config, endpoint: config.endpoint });
}

