/** `resources/read`: to the server that lists the URI, or whose template matches it. */
import { ErrorCode, RpcError } from "../jsonrpc.js";
import type { Forwarding } from "./forward.js";
import type { Route, Subject } from "./route.js";

type Resource = Extract<Subject, { kind: "resource" }>;

/** The resource a request names by `params.uri`, or the MCP "resource not found" error. */
export function resolveResource(server: string | undefined, uri: unknown, detail = ""): Resource | RpcError {
  if (server === undefined || typeof uri !== "string") return new RpcError(ErrorCode.ResourceNotFound, `Unknown resource: "${String(uri)}"${detail}`, { uri });
  return { kind: "resource", server, uri };
}

export function readRoute(forwarding: Forwarding): Route<Resource> {
  return {
    resolve: (call, request) => {
      const uri = request.params?.uri;
      const server = typeof uri === "string" ? call.ctx.view.resourceServer(uri) : undefined;
      return resolveResource(server, uri, ". No server lists it or a template matching it.");
    },
    serve: (call, request, resource, reply) => forwarding.forward(call, resource.server, request, request.params!, reply, { label: `${request.method} "${resource.uri}"`, safe: true }),
  };
}
