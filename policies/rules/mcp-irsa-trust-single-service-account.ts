import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/policy.js";
import { IAM_ROLE } from "../lib/types.js";

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const ONE_SERVICE_ACCOUNT = /^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function statementsOf(policy: unknown): Statement[] {
  const document = typeof policy === "string" ? (JSON.parse(policy) as { Statement?: Statement | Statement[] }) : (policy as { Statement?: Statement | Statement[] } | undefined);
  const statements = document?.Statement ?? [];
  return Array.isArray(statements) ? statements : [statements];
}

const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * An IRSA role (trusted through the cluster's OIDC provider) may be assumed by exactly one service account:
 * `StringEquals` on `<issuer>:sub` with one `system:serviceaccount:<namespace>:<name>`, no wildcard, no `StringLike`.
 */
export const mcpIrsaTrustSingleServiceAccount: ResourceValidationPolicy = {
  name: "mcp-irsa-trust-single-service-account",
  description: "IAM roles for service accounts must trust exactly one Kubernetes service account.",
  enforcementLevel: "mandatory",
  validateResource: forTypes([IAM_ROLE], (args, report) => {
    const what = `IAM role \`${String(args.props.name ?? args.name)}\``;
    const webIdentity = statementsOf(args.props.assumeRolePolicy).filter(
      (s) => (s.Effect ?? "Allow") === "Allow" && asList(s.Action).includes("sts:AssumeRoleWithWebIdentity"),
    );
    if (webIdentity.length === 0) {
      args.notApplicable("The role is not assumed with a web identity.");
      return;
    }
    for (const statement of webIdentity) {
      const like = Object.entries(statement.Condition?.StringLike ?? {}).filter(([key]) => key.endsWith(":sub"));
      const equals = Object.entries(statement.Condition?.StringEquals ?? {}).filter(([key]) => key.endsWith(":sub"));
      const subjects = [...like, ...equals].flatMap(([, value]) => asList(value));
      const fix = "Limit it to one: `StringEquals: { \"<issuer>:sub\": \"system:serviceaccount:<namespace>:<name>\" }`.";
      if (subjects.length === 0) {
        report(`${what} trusts any identity of the OIDC provider (no \`:sub\` condition). ${fix}`);
      } else if (subjects.length > 1) {
        report(`${what} trusts ${subjects.length} subjects (${subjects.map((s) => `\`${s}\``).join(", ")}). ${fix}`);
      } else if (like.length > 0 || !ONE_SERVICE_ACCOUNT.test(subjects[0]!)) {
        report(`${what} trusts \`${subjects[0]}\`, which is not exactly one service account. ${fix}`);
      }
    }
  }),
};
