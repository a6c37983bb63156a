/**
 * What the rooms and the OpenTelemetry side (otel.ts) agree on: the trace of a request, the W3C trace context
 * (`traceparent`, `tracestate`) and the `Tracing` the rooms call when tracing is on. No SDK here.
 */
import type { Span, SpanContext } from "@opentelemetry/api";

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
