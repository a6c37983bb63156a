/**
 * What looks secret, defined once for the whole kit: the policy pack judges manifests by it
 * (`mcp-secret-env-from-secret-ref`), and the server catalog refuses a spec that puts such a variable in plain `env`
 * (`mcp-fleet validate`), for every target. Exported as `@mcp-fleet/policies/secret-names`.
 */

/** Environment variable names that look secret: a `_`-separated word such as TOKEN, SECRET, PASSWORD, KEY, CREDENTIALS (case-insensitive). */
export const DEFAULT_SECRET_PATTERN = "(^|_)(TOKEN|SECRET|PASSWORD|PASSWD|PASS|PWD|KEY|APIKEY|CREDENTIALS?|PRIVATE|AUTH)(_|$)";

/** HTTP headers that carry credentials whatever their value. */
export const SECRET_HEADERS = /^(authorization|proxy-authorization|cookie)$/i;

/** Whether an environment variable's name looks secret, by `pattern` (a regular expression source, case-insensitive). */
export function looksSecret(name: string, pattern: string = DEFAULT_SECRET_PATTERN): boolean {
  return new RegExp(pattern, "i").test(name);
}
