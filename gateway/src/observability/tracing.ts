/**
 * OpenTelemetry traces: a span for each HTTP request to the MCP endpoint, one for each JSON-RPC request it carries
 * (the route), and one for each attempt sent to a backend. W3C trace context comes from the request's
 * `traceparent`/`tracestate` headers, or, per JSON-RPC request, from `params._meta.traceparent`/`tracestate` (the
 * 2026-07-28 convention, which wins for that request); it goes on to backends in `_meta` and, for HTTP backends,
 * in the `traceparent` header too. Spans are exported over OTLP/HTTP (`tracing.endpoint`) in batches.
 *
 * Off (no endpoint) it costs nothing: no provider, no span object, no context; the rooms check for a `Tracing`
 * before anything. A caller's `traceparent` header still names the trace in log lines and audit records
 * ({@link traceOfHeaders}), read only when the header is there.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, createTraceState, trace, type Span, type SpanContext, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from "@opentelemetry/sdk-trace";
import type { GatewayConfig } from "../config.js";
import { GATEWAY_INFO } from "../protocol/versions.js";

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

function remoteContext(parent: TraceParent) {
  const spanContext: SpanContext = { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.flags, isRemote: true };
  if (parent.state !== undefined) spanContext.traceState = createTraceState(parent.state);
  return trace.setSpanContext(ROOT_CONTEXT, spanContext);
}

type TracingConfig = GatewayConfig["tracing"];

export class Tracing {
  private readonly provider: TracerProvider;
  private readonly tracer: Tracer;

  constructor(config: TracingConfig & { endpoint: string }) {
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ "service.name": config.serviceName, "service.version": GATEWAY_INFO.version }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: config.endpoint, headers: { ...config.headers } }), scheduledDelayMillis: config.exportIntervalMs })],
    });
    this.tracer = this.provider.getTracer("mcp-fleet-gateway", GATEWAY_INFO.version);
  }

  /** The span of one HTTP request to the MCP endpoint (ended by the caller). */
  request(method: string, path: string, headers: Readonly<Record<string, string | undefined>>): RequestTrace {
    const parent = parseTraceparent(headers.traceparent, headers.tracestate);
    const span = this.tracer.startSpan(
      `${method} ${path}`,
      { kind: SpanKind.SERVER, attributes: { "http.request.method": method, "url.path": path } },
      parent === undefined ? ROOT_CONTEXT : remoteContext(parent),
    );
    return { traceId: span.spanContext().traceId, span };
  }

  /** The span of one JSON-RPC request: child of its `_meta.traceparent` when it has one, else of the HTTP request's span. */
  route(method: string, meta: unknown, request: RequestTrace | undefined, attributes: Record<string, string>): Span {
    const m = meta as { traceparent?: unknown; tracestate?: unknown } | undefined;
    const own = m === undefined ? undefined : parseTraceparent(m.traceparent, m.tracestate);
    const parent = own !== undefined ? remoteContext(own) : request?.span !== undefined ? trace.setSpan(ROOT_CONTEXT, request.span) : ROOT_CONTEXT;
    return this.tracer.startSpan(method, { kind: SpanKind.INTERNAL, attributes: { "rpc.system": "jsonrpc", "rpc.method": method, ...attributes } }, parent);
  }

  /** The span of one attempt sent to a backend, and the params carrying its trace context on (`_meta`). */
  upstream(route: Span | undefined, method: string, params: Record<string, unknown>, attributes: Record<string, string>): { span: Span; params: Record<string, unknown> } {
    const span = this.tracer.startSpan(`${method} upstream`, { kind: SpanKind.CLIENT, attributes: { "rpc.system": "jsonrpc", "rpc.method": method, ...attributes } }, route === undefined ? ROOT_CONTEXT : trace.setSpan(ROOT_CONTEXT, route));
    const context = span.spanContext();
    const meta: Record<string, unknown> = { ...(params._meta as Record<string, unknown> | undefined), traceparent: formatTraceparent(context) };
    const state = context.traceState?.serialize();
    if (state !== undefined && state !== "") meta.tracestate = state;
    return { span, params: { ...params, _meta: meta } };
  }

  /** Ends a span with the outcome of what it covered. */
  static end(span: Span, error: { code: number; message: string } | undefined): void {
    if (error !== undefined) {
      span.setAttribute("rpc.jsonrpc.error_code", error.code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    span.end();
  }

  /** Exports what is left and stops. */
  async close(): Promise<void> {
    await this.provider.shutdown().catch(() => undefined);
  }
}

/** The tracing a config asks for: none without an endpoint. */
export function createTracing(config: TracingConfig): Tracing | undefined {
  return config.endpoint === undefined ? undefined : new Tracing({ ...config, endpoint: config.endpoint });
}
