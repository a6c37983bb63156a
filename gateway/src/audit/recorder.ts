/**
 * What the audit log records: one record per `tools/call`, `resources/read` and `prompts/get`, once answered, with
 * the time, the caller's identity (subject, API key name, OAuth client id), the server and name, the decision
 * (`allowed`, `denied` by access rules, `limited` by a rate limit), the outcome, the duration and the request and
 * trace ids. Arguments only by the fields `audit.arguments` names. A denied call is told apart from an unknown name
 * here (the full catalog has it, the caller's view does not); the caller's answer is the same for both.
 */
import type { CatalogView, ClientCall } from "../context.js";
import { ErrorCode, type JsonRpcRequest, type JsonRpcResponse } from "../jsonrpc.js";
import { outcomeOf } from "../observability/outcome.js";
import type { AuditLog } from "./log.js";

const AUDITED = new Set(["tools/call", "resources/read", "prompts/get"]);

/** Where each audited method names its subject, and how the catalog finds its server. */
function subjectOf(view: CatalogView, request: JsonRpcRequest): { name: string; server: string | undefined } {
  const params = request.params ?? {};
  if (request.method === "resources/read") {
    const uri = typeof params.uri === "string" ? params.uri : "";
    return { name: uri, server: view.resourceServer(uri) };
  }
  const name = typeof params.name === "string" ? params.name : "";
  const target = request.method === "tools/call" ? view.tool(name) : view.prompt(name);
  return { name, server: target?.server };
}

export class CallAudit {
  constructor(
    private readonly log: AuditLog,
    /** The whole catalog (to tell a denied call from an unknown name). */
    private readonly catalog: CatalogView,
    private readonly argumentFields: readonly string[],
  ) {}

  /** Starts the record of a request; the returned function completes it with the answer (undefined: not audited). */
  begin(call: ClientCall, request: JsonRpcRequest): ((response: JsonRpcResponse) => void) | undefined {
    if (!AUDITED.has(request.method)) return undefined;
    const started = performance.now();
    const at = new Date().toISOString();
    return (response) => {
      const seen = subjectOf(call.ctx.view, request);
      const known = seen.server !== undefined ? seen : subjectOf(this.catalog, request);
      const decision = response.error?.code === ErrorCode.RateLimited ? "limited" : seen.server === undefined && known.server !== undefined ? "denied" : "allowed";
      const p = call.ctx.caller.principal;
      const record: Record<string, unknown> = {
        time: at,
        identity: p === undefined ? { address: call.ctx.caller.address } : { id: p.id, kind: p.kind, ...(p.subject !== undefined ? { subject: p.subject } : {}), ...(p.kind === "apiKey" ? { keyName: p.name } : p.name !== undefined ? { clientId: p.name } : {}) },
        method: request.method,
        server: known.server ?? null,
        name: known.name,
        decision,
        outcome: outcomeOf(response),
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        requestId: call.ctx.reqId,
      };
      // The W3C trace of the request (the caller's traceparent, or the gateway's own span when tracing is on).
      const traceId = call.ctx.trace?.traceId;
      if (traceId !== undefined) record.traceId = traceId;
      const args = request.params?.arguments;
      if (this.argumentFields.length > 0 && args !== null && typeof args === "object") {
        const kept: Record<string, unknown> = {};
        for (const field of this.argumentFields) if (field in args) kept[field] = (args as Record<string, unknown>)[field];
        record.arguments = kept;
      }
      this.log.append(record);
    };
  }
}
