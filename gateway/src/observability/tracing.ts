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
import type { Span } from "@opentelemetry/api";
import type { GatewayConfig } from "../config.js";
import { parseTraceparent, type RequestTrace, type Tracing } from "./trace-context.js";

/** The trace named by a request's headers (tracing off: for log lines only), or undefined. */
export function traceOfHeaders(headers: Readonly<Record<string, string | undefined>>): RequestTrace | undefined {
  const header = headers.traceparent;
  if (header === undefined) return undefined;
  const parent = parseTraceparent(header);
  return parent === undefined ? undefined : { traceId: parent.traceId };
}

type TracingConfig = GatewayConfig["tracing"];

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

