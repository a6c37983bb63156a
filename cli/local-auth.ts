/**
 * `npm start -- --api-key-env NAME`: the local gateway asks for the API key held in `$NAME` (Authorization: Bearer),
 * as a deployed one would. The config gets only the key's SHA-256; the caller gets `--roles`, by default every role
 * the catalog's access rules name, so a local run shows the whole fleet unless told to play a role.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import type { GatewayConfigInput } from "@mcp-fleet/gateway/config";
import type { Catalog } from "../servers/catalog/catalog.js";
import { CliError } from "./errors.js";

/** The `auth` section of a local gateway that asks for the key in `env[name]`. */
export function localApiKeyAuth(name: string, catalog: Pick<Catalog, "servers">, roles: string | undefined, env: NodeJS.ProcessEnv = process.env): NonNullable<GatewayConfigInput["auth"]> {
  const key = env[name];
  if (key === undefined || key === "") throw new CliError(`--api-key-env names ${name}, which is unset. Export the key first, e.g. \`export ${name}=$(openssl rand -hex 24)\`.`);
  const named = [...new Set(catalog.servers.flatMap((e) => e.spec.access.flatMap((r) => r.roles)).filter((r) => r !== "*"))].sort();
  const given = roles === undefined ? named : roles.split(",").map((r) => r.trim()).filter((r) => r !== "");
  return { mode: "apiKey", apiKeys: [{ name: "local", sha256: createHash("sha256").update(key).digest("hex"), roles: given }] };
}

/**
 * A keyed local gateway whose servers ask for `credentials.identity` signs with the key in the variable its config
 * names; unset, this run makes one (Ed25519, in this process's environment only, which the gateway inherits), so
 * `npm start` needs no key of its own. Returns whether it made one.
 */
export function ensureLocalIdentityKey(config: Pick<GatewayConfigInput, "identity">, env: NodeJS.ProcessEnv = process.env): boolean {
  const name = config.identity?.signingKeyEnv;
  if (name === undefined || (env[name] !== undefined && env[name] !== "")) return false;
  env[name] = JSON.stringify(generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }));
  return true;
}
