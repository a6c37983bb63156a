/**
 * Every policy of the mcp-fleet pack, in one array. Only `index.ts` builds the PolicyPack from it (constructing one
 * starts a gRPC server that never exits); tests, `mcp-fleet check` and the pack process all import this module.
 */
import type { Policies } from "@pulumi/policy";
import { mcpContainerDropAllCapabilities } from "./rules/mcp-container-drop-all-capabilities.js";
import { mcpContainerNoPrivilegeEscalation } from "./rules/mcp-container-no-privilege-escalation.js";
import { mcpContainerNonRoot } from "./rules/mcp-container-non-root.js";
import { mcpContainerNotPrivileged } from "./rules/mcp-container-not-privileged.js";
import { mcpContainerProbes } from "./rules/mcp-container-probes.js";
import { mcpContainerReadOnlyRootFs } from "./rules/mcp-container-read-only-root-fs.js";
import { mcpContainerResources } from "./rules/mcp-container-resources.js";
import { mcpDockerContainerHardened } from "./rules/mcp-docker-container-hardened.js";
import { mcpEcrRepositoryHardened } from "./rules/mcp-ecr-repository-hardened.js";
import { mcpImagePinned } from "./rules/mcp-image-pinned.js";
import { mcpIngressTls } from "./rules/mcp-ingress-tls.js";
import { mcpIrsaTrustSingleServiceAccount } from "./rules/mcp-irsa-trust-single-service-account.js";
import { mcpNamedPorts } from "./rules/mcp-named-ports.js";
import { mcpNetworkPolicyCoverage } from "./rules/mcp-network-policy-coverage.js";
import { mcpOnlyGatewayExposed } from "./rules/mcp-only-gateway-exposed.js";
import { mcpPodHostIsolation } from "./rules/mcp-pod-host-isolation.js";
import { mcpPodSeccompRuntimeDefault } from "./rules/mcp-pod-seccomp-runtime-default.js";
import { mcpPortRange } from "./rules/mcp-port-range.js";
import { mcpPortUnique } from "./rules/mcp-port-unique.js";
import { mcpRequiredLabels } from "./rules/mcp-required-labels.js";
import { mcpResourceNames } from "./rules/mcp-resource-names.js";
import { mcpSecretEnvFromSecretRef } from "./rules/mcp-secret-env-from-secret-ref.js";
import { mcpSecretsManagerKms } from "./rules/mcp-secrets-manager-kms.js";
import { mcpServerSaTokenNotAutomounted } from "./rules/mcp-server-sa-token-not-automounted.js";
import { mcpToolNames } from "./rules/mcp-tool-names.js";
import { mcpAccessRules } from "./rules/mcp-access-rules.js";
import { mcpAdapterAuthenticated } from "./rules/mcp-adapter-authenticated.js";
import { mcpGatewayAuthenticated } from "./rules/mcp-gateway-authenticated.js";
import { mcpNoPlainCredentials } from "./rules/mcp-no-plain-credentials.js";

export const policies: Policies = [
  // Ports
  mcpPortRange,
  mcpPortUnique,
  mcpNamedPorts,
  mcpOnlyGatewayExposed,
  // Naming
  mcpResourceNames,
  mcpRequiredLabels,
  mcpToolNames,
  // Security: pods and containers
  mcpContainerNonRoot,
  mcpContainerNotPrivileged,
  mcpContainerNoPrivilegeEscalation,
  mcpContainerReadOnlyRootFs,
  mcpContainerDropAllCapabilities,
  mcpPodSeccompRuntimeDefault,
  mcpContainerResources,
  mcpContainerProbes,
  mcpPodHostIsolation,
  mcpImagePinned,
  mcpSecretEnvFromSecretRef,
  mcpServerSaTokenNotAutomounted,
  // Security: network
  mcpNetworkPolicyCoverage,
  mcpIngressTls,
  // Identity and access
  mcpGatewayAuthenticated,
  mcpAdapterAuthenticated,
  mcpAccessRules,
  mcpNoPlainCredentials,
  // Security: Docker and AWS
  mcpDockerContainerHardened,
  mcpEcrRepositoryHardened,
  mcpSecretsManagerKms,
  mcpIrsaTrustSingleServiceAccount,
];
