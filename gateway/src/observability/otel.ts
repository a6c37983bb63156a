/**
 * The OpenTelemetry SDK behind {@link Tracing} (tracing.ts): a tracer provider of its own (nothing global), a
 * parent-based ratio sampler, and a batch processor exporting over OTLP/HTTP JSON. Loaded only when
 * `tracing.endpoint` is set.
 */
import { ROOT_CONTEXT, SpanKind, createTraceState, trace, type Span, type SpanContext, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from "@opentelemetry/sdk-trace";
import type { GatewayConfig } from "../config.js";
import { GATEWAY_INFO } from "../protocol/versions.js";
import { formatTraceparent, parseTraceparent, type RequestTrace, type TraceParent, type Tracing } from "./trace-context.js";

function remoteContext(parent: TraceParent) {
  const spanContext: SpanContext = { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.flags, isRemote: true };
  if (parent.state !== undefined) spanContext.traceState = createTraceState(parent.state);
  return trace.setSpanContext(ROOT_CONTEXT, spanContext);
}


export class OtelTracing implements Tracing {
  private readonly provider: TracerProvider;
  private readonly tracer: Tracer;

  constructor(config: GatewayConfig["tracing"] & { endpoint: string }) {
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

  /** Exports what is left and stops. */
  async close(): Promise<void> {
    await this.provider.shutdown().catch(() => undefined);
  }
}

