/** OpenTelemetry traces (observability/tracing.ts): exported over OTLP/HTTP when an endpoint is set, nothing otherwise. */
import { z } from "zod";

export const TracingSchema = z
  .object({
    /** OTLP/HTTP traces endpoint of a collector, e.g. `http://otel-collector:4318/v1/traces`. Unset: no traces (no span is made). */
    endpoint: z
      .string()
      .url()
      .refine((u) => /^https?:$/.test(new URL(u).protocol), "must be an http:// or https:// URL")
      .optional(),
    /** `service.name` of the spans. @default "mcp-fleet-gateway" */
    serviceName: z.string().min(1).default("mcp-fleet-gateway"),
    /** Share of new traces recorded (a caller's sampled flag decides for its own traces). @default 1 */
    sampleRatio: z.number().min(0).max(1).default(1),
    /** Spans are sent in batches at least this often. @default 5000 */
    exportIntervalMs: z.number().int().min(10).max(60_000).default(5_000),
    /** Extra headers of the export requests (e.g. a collector's API key). @default {} */
    headers: z.record(z.string(), z.string()).default({}),
  })
  .strict()
  .prefault({});
