/**
 * Secure-by-default pod pieces shared by every workload: the security contexts, the writable /tmp, probes and
 * resources. One place, so the server and the gateway Deployments cannot drift apart.
 */
import type { IContainer, IProbe } from "./types.js";
import type { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import type { IVolume } from "kubernetes-models/v1/Volume";

/** The unprivileged user every container runs as. */
export const RUN_AS_USER = 10001;
/** Name of the container port (and Service port) MCP is served on. */
export const MCP_PORT_NAME = "mcp";

/** Pod-level security: non-root user and group, seccomp RuntimeDefault. */
export function podSecurityContext(uid: number = RUN_AS_USER): IPodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container-level security: read-only root filesystem, no privilege escalation, every capability dropped. */
export function containerSecurityContext(uid: number = RUN_AS_USER): ISecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** The writable scratch space a read-only root filesystem needs. */
export const TMP_VOLUME: IVolume = { name: "tmp", emptyDir: { sizeLimit: "64Mi" } };
export const TMP_MOUNT = { name: "tmp", mountPath: "/tmp" };

/** How a workload is probed. */
export type ProbeTarget = { kind: "http"; livenessPath: string; readinessPath: string } | { kind: "tcp" };

export interface ProbeTiming {
  /** @default 10 */
  periodSeconds?: number;
  /** @default 5 */
  timeoutSeconds?: number;
  /** @default 3 */
  failureThreshold?: number;
}

/** Liveness and readiness probes on the named MCP port. */
export function probes(
  target: ProbeTarget,
  timing: ProbeTiming = {},
): Pick<IContainer, "livenessProbe" | "readinessProbe"> {
  const common = {
    periodSeconds: timing.periodSeconds ?? 10,
    timeoutSeconds: timing.timeoutSeconds ?? 5,
    failureThreshold: timing.failureThreshold ?? 3,
  };
  const probe = (path: string): IProbe =>
    target.kind === "http"
      ? { httpGet: { path, port: MCP_PORT_NAME }, ...common }
      : { tcpSocket: { port: MCP_PORT_NAME }, ...common };
  return {
    livenessProbe: { ...probe(target.kind === "http" ? target.livenessPath : ""), initialDelaySeconds: 10 },
    readinessProbe: { ...probe(target.kind === "http" ? target.readinessPath : ""), initialDelaySeconds: 2 },
  };
}

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

/** Requests and limits, copied so a caller's object is never shared between manifests. */
export function resources(r: Resources): IContainer["resources"] {
  return { requests: { ...r.requests }, limits: { ...r.limits } };
}
