/** Principals as the authentication step makes them: id, roles, scopes, and the short hash sessions are bound to. */
import { createHash } from "node:crypto";
import type { Principal } from "../context.js";

/** The part of a principal its maker decides; `ref` is derived. */
export type PrincipalFields = Omit<Principal, "ref">;

export function principalRef(id: string): string {
  return createHash("sha256").update(`mcp-fleet principal\n${id}`).digest().subarray(0, 12).toString("base64url");
}

export function makePrincipal(fields: PrincipalFields): Principal {
  return Object.freeze({ ...fields, roles: Object.freeze([...fields.roles]), scopes: Object.freeze([...fields.scopes]), ref: principalRef(fields.id) });
}
