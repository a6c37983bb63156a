/** Offline plans (stacks/plan-stack.ts): stand-ins for identity secrets, without loading Pulumi. */
/**
 * Placeholders for the identity secrets a stack file's config calls for but does not hold (an offline plan has no
 * secrets): a zero hash per API key, a loopback Redis URL, a stand-in identity signing key and token-exchange client secret. Keys in Pulumi's `namespace:key` form.
 */
export function identityPlaceholders(config: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const parse = (key: string): unknown => {
    try {
      return JSON.parse(config[key] ?? "null");
    } catch {
      return null;
    }
  };
  const auth = parse("mcp-fleet:auth") as { apiKeys?: { name?: unknown }[] } | null;
  const names = (auth?.apiKeys ?? []).map((k) => k.name).filter((n): n is string => typeof n === "string");
  if (names.length > 0 && !("mcp-fleet:apiKeyHashes" in config)) out["mcp-fleet:apiKeyHashes"] = JSON.stringify(Object.fromEntries(names.map((n) => [n, "0".repeat(64)])));
  // A stand-in signing key (read only when a server asks for credentials.identity; never a real key).
  if (auth !== null && !("mcp-fleet:identitySigningKey" in config)) out["mcp-fleet:identitySigningKey"] = "offline-plan-placeholder";
  const mode = (auth as { mode?: unknown } | null)?.mode;
  if (mode === "oauth" && !("mcp-fleet:tokenExchangeSecrets" in config)) out["mcp-fleet:tokenExchangeSecrets"] = JSON.stringify({ "*": "offline-plan-placeholder" });
  const limits = parse("mcp-fleet:rateLimits") as { store?: unknown } | null;
  if (limits?.store === "redis" && !("mcp-fleet:redisUrl" in config)) out["mcp-fleet:redisUrl"] = "redis://127.0.0.1:6379";
  return out;
}
