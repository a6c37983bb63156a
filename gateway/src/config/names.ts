/** Names and addresses the config accepts: the one place their patterns are written. */
import { isIP } from "node:net";

/** Tool, prompt and resource names clients accept: the MCP spec's tool-name rule. Every exposed name matches it. */
export const EXPOSED_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
/** Longest exposed name (the bound in {@link EXPOSED_NAME_PATTERN}). */
export const MAX_EXPOSED_NAME_LENGTH = 64;
/** Between the server name and the backend's own name in exposed names (`memory__read_graph`), unless configured. */
export const DEFAULT_SEPARATOR = "__";
export const SERVER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `10.1.2.3`, `::1`, `10.0.0.0/8`, `fd00::/8`. */
export function isAddressOrRange(text: string): boolean {
  const [address, bits, extra] = text.split("/");
  const family = isIP(address ?? "");
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}
