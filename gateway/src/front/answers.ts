/** Answers a front sends on its own: a JSON body, or a JSON-RPC error with `id: null` and an HTTP status. */
import { errorResponse } from "../jsonrpc.js";
import type { H1Response } from "../http/h1/server.js";

export function sendJson(res: H1Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function rpcFailure(res: H1Response, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, errorResponse(null, code, message), headers);
}
