/**
 * The `_meta` a request carries to each era of backend. A 2026-07-28 backend gets every request with the protocol
 * fields: a 2026-07-28 caller's own (its capabilities, client, log level), or for a 2025 caller the ones its session
 * declared (and its `logging/setLevel` level as the request's `logLevel`: everything when it set none, as 2025
 * semantics are). A 2025 backend gets none of them: they, and the MRTR fields, are the gateway's to read.
 */
import type { ClientCall } from "../context.js";
import { STATELESS_VERSION } from "../protocol/era.js";
import { META } from "../protocol/modern.js";
import { GATEWAY_INFO } from "../protocol/versions.js";

const PROTOCOL_KEYS = [META.protocolVersion, META.clientCapabilities, META.clientInfo, META.logLevel];

/** Params for a 2026-07-28 backend, on behalf of a 2025 caller. */
export function withModernEnvelope(call: ClientCall, params: Record<string, unknown>): Record<string, unknown> {
  const caps = call.session.seed.capabilities;
  const capabilities: Record<string, object> = {};
  if (caps.sampling) capabilities.sampling = {};
  if (caps.elicitation) capabilities.elicitation = { form: {} };
  if (caps.roots) capabilities.roots = {};
  const meta = params._meta as Record<string, unknown> | undefined;
  return {
    ...params,
    _meta: {
      ...meta,
      [META.protocolVersion]: STATELESS_VERSION,
      [META.clientCapabilities]: capabilities,
      [META.clientInfo]: GATEWAY_INFO,
      [META.logLevel]: call.session.logLevel ?? "debug",
    },
  };
}

/** Params for a 2025 backend, on behalf of a 2026-07-28 caller: without the envelope and the MRTR fields. */
export function withoutModernEnvelope(params: Record<string, unknown>): Record<string, unknown> {
  const { inputResponses: _responses, requestState: _state, _meta: meta, ...rest } = params;
  if (meta === undefined || meta === null || typeof meta !== "object") return rest;
  let kept: Record<string, unknown> | undefined;
  for (const key in meta) {
    if (!PROTOCOL_KEYS.includes(key as (typeof PROTOCOL_KEYS)[number])) (kept ??= {})[key] = (meta as Record<string, unknown>)[key];
  }
  if (kept !== undefined) rest._meta = kept;
  return rest;
}
