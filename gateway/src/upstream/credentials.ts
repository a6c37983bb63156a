/**
 * How the gateway presents itself to a remote server: `credentials.headers`, templates over the gateway's
 * environment (`Bearer ${LINEAR_API_KEY}`), resolved each time a connection opens (so a rotated secret is picked up
 * on reconnect) and never written to the config, a plan or a log. A header whose variables are unset is left out
 * and the names (never values) are logged once. The client's own Authorization is never among them: the gateway
 * does not pass client headers upstream.
 */
import type { BackendConfig } from "../config.js";
import type { Logger } from "../observability/logger.js";

const reported = new WeakMap<object, Set<string>>();

/** A template with its `${NAME}`s replaced, or the names that are unset. */
export function resolveTemplate(template: string, env: NodeJS.ProcessEnv): { value: string } | { missing: string[] } {
  const missing: string[] = [];
  const value = template.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const v = env[name];
    if (v === undefined || v === "") missing.push(name);
    return v ?? "";
  });
  return missing.length > 0 ? { missing } : { value };
}

/** The headers of a remote backend's requests: its `headers`, then its resolved credential headers. */
export function withCredentials(config: Extract<BackendConfig, { transport: "http" | "sse" }>, logger: Logger, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const headers = { ...config.headers };
  for (const [name, template] of Object.entries(config.credentials.headers)) {
    const resolved = resolveTemplate(template, env);
    if ("value" in resolved) {
      headers[name] = resolved.value;
      continue;
    }
    let seen = reported.get(config);
    if (seen === undefined) reported.set(config, (seen = new Set()));
    const fresh = resolved.missing.filter((n) => !seen.has(n));
    for (const n of fresh) seen.add(n);
    if (fresh.length > 0) logger.warn({ header: name, missingEnv: fresh }, "credentials.headers names variables unset in the gateway's environment; the header is not sent");
  }
  return headers;
}
