/**
 * Notifications from a client: a cancellation goes to the backend of the call it names (in the same session only);
 * a change of the client's roots goes to the session's own connections only (a shared backend must not adopt one
 * client's roots for everyone); others are not forwarded.
 */
import type { JsonRpcNotification } from "../jsonrpc.js";
import type { Session } from "../session/session.js";
import type { BackendPool } from "../upstream/pool.js";

export function clientNotification(pool: BackendPool, session: Session, message: JsonRpcNotification): void {
  if (message.method === "notifications/cancelled") {
    const requestId = message.params?.requestId as string | number | undefined;
    const call = requestId === undefined ? undefined : session.calls.get(requestId);
    call?.cancel?.(message.params?.reason as string | undefined);
    return;
  }
  if (message.method === "notifications/roots/list_changed") {
    for (const backend of pool.sessionEndpoints(session)) if (backend.state === "up") backend.notify("notifications/roots/list_changed");
  }
}
