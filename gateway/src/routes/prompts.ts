/** `prompts/get`: to the backend that owns the exposed prompt, under its own name. */
import { ErrorCode, RpcError } from "../jsonrpc.js";
import type { Forwarding } from "./forward.js";
import type { Route, Subject } from "./route.js";

type Prompt = Extract<Subject, { kind: "prompt" }>;

export function getPromptRoute(forwarding: Forwarding): Route<Prompt> {
  return {
    resolve: (call, request) => {
      const name = request.params?.name;
      const target = typeof name === "string" ? call.ctx.view.prompt(name) : undefined;
      if (target === undefined) return new RpcError(ErrorCode.InvalidParams, `Unknown prompt: "${String(name)}". Call prompts/list for the prompts this gateway exposes.`);
      return { kind: "prompt", server: target.server, name: target.name };
    },
    serve: (call, request, prompt, reply) =>
      forwarding.forward(call, prompt.server, request, { ...request.params, name: prompt.name }, reply, { label: `prompts/get "${prompt.name}"`, safe: true }),
  };
}
