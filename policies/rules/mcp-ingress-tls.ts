import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, K8S } from "../lib/k8s.js";
import { configOf, forTypes } from "../lib/policy.js";

export interface IngressTlsConfig {
  /** Whether this stack requires TLS on the gateway's Ingress. @default true */
  requireTls: boolean;
}

interface IngressSpec {
  tls?: Array<{ hosts?: string[]; secretName?: string }>;
  rules?: Array<{ host?: string }>;
}

/** The gateway's Ingress terminates TLS for every host it serves, in stacks whose pack config sets `requireTls`. */
export const mcpIngressTls: ResourceValidationPolicy = {
  name: "mcp-ingress-tls",
  description: "The gateway's Ingress must terminate TLS for every host.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { requireTls: { type: "boolean", default: true, description: "Require TLS on Ingresses in this stack." } },
  },
  validateResource: forTypes([K8S.Ingress], (args, report) => {
    if (!configOf<IngressTlsConfig>(args, { requireTls: true }).requireTls) {
      args.notApplicable("This stack does not require TLS (requireTls: false).");
      return;
    }
    const what = describe(args.type, args.props, args.name);
    const spec = (args.props.spec ?? {}) as IngressSpec;
    const hosts = (spec.rules ?? []).map((r) => r.host).filter((h): h is string => typeof h === "string" && h !== "");
    const tls = spec.tls ?? [];
    if (tls.length === 0) {
      report(`${what} must terminate TLS: add \`spec.tls\` with a certificate Secret for ${hosts.length > 0 ? hosts.map((h) => `\`${h}\``).join(", ") : "its hosts"}.`);
      return;
    }
    const covered = new Set(tls.flatMap((t) => t.hosts ?? []));
    for (const host of hosts) {
      if (!covered.has(host)) report(`${what} host \`${host}\` is not covered by \`spec.tls\`. Add it to a TLS entry's \`hosts\`.`);
    }
    for (const [index, entry] of tls.entries()) {
      if (!entry.secretName) report(`${what} \`spec.tls[${index}]\` has no \`secretName\`. Name the certificate Secret (cert-manager fills it).`);
    }
  }),
};
