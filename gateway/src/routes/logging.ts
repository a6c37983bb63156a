/**
 * `logging/setLevel`: the session's own level (the gateway filters what it forwards by it), and toward the
 * backends the most verbose level any session asked for.
 */
import { ErrorCode, RpcError } from "../jsonrpc.js";
import { LOG_LEVELS, isLogLevel } from "../protocol/versions.js";
import type { Session } from "../session/session.js";
import type { BackendPool } from "../upstream/pool.js";
import { GATEWAY, result, type Route } from "./route.js";

export function setLevelRoute(deps: { pool: BackendPool; sessions: () => Iterable<Session> }): Route {
  return {
    resolve: (_call, request) => {
      const level = request.params?.level;
      return isLogLevel(level) ? GATEWAY : new RpcError(ErrorCode.InvalidParams, `Invalid log level "${String(level)}"; use one of ${LOG_LEVELS.join(", ")}`);
    },
    serve(call, request, _subject, reply) {
      const level = request.params!.level as string;
      const session = call.session;
      session.logLevel = level;
      let min = LOG_LEVELS.indexOf(level as (typeof LOG_LEVELS)[number]);
      for (const s of deps.sessions()) if (s.logLevel !== undefined) min = Math.min(min, LOG_LEVELS.indexOf(s.logLevel as (typeof LOG_LEVELS)[number]));
      const backends = [...deps.pool.connections(), ...deps.pool.sessionEndpoints(session)];
      const sends = backends
        .filter((b) => b.state === "up" && b.capabilities.logging !== undefined)
        .map((b) => b.request("logging/setLevel", { level: LOG_LEVELS[min] }, { label: "logging/setLevel" }).catch(() => undefined));
      void Promise.all(sends).then(() => reply(result(request, {})));
    },
  };
}
