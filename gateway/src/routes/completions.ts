/** `completion/complete`: for a prompt (by exposed name) or a resource (by URI), to the backend that owns it. */
import { ErrorCode, RpcError } from "../jsonrpc.js";
import type { Forwarding } from "./forward.js";
import type { Route, Subject } from "./route.js";

type Owned = Extract<Subject, { kind: "prompt" | "resource" }>;

export function completeRoute(forwarding: Forwarding): Route<Owned> {
  return {
    resolve(call, request) {
      const ref = request.params?.ref as { type?: string; name?: string; uri?: string } | undefined;
      if (ref?.type === "ref/prompt" && typeof ref.name === "string") {
        const target = call.ctx.view.prompt(ref.name);
        return target === undefined ? new RpcError(ErrorCode.InvalidParams, `Unknown prompt: "${ref.name}"`) : { kind: "prompt", server: target.server, name: target.name };
      }
      if (ref?.type === "ref/resource" && typeof ref.uri === "string") {
        const server = call.ctx.view.resourceServer(ref.uri);
        return server === undefined ? new RpcError(ErrorCode.InvalidParams, `Unknown resource: "${ref.uri}"`) : { kind: "resource", server, uri: ref.uri };
      }
      return new RpcError(ErrorCode.InvalidParams, 'completion/complete needs "ref" of type ref/prompt (with name) or ref/resource (with uri)');
    },
    serve(call, request, owned, reply) {
      const ref = request.params!.ref as Record<string, unknown>;
      if (owned.kind === "prompt") {
        forwarding.forward(call, owned.server, request, { ...request.params, ref: { ...ref, name: owned.name } }, reply, { label: `completion/complete for prompt "${owned.name}"`, safe: true });
      } else {
        forwarding.forward(call, owned.server, request, request.params!, reply, { label: `completion/complete for "${owned.uri}"`, safe: true });
      }
    },
  };
}
