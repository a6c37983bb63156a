/**
 * `DockerFleet`: the dev stack on the local Docker engine. A network, one container per server and one for the
 * gateway, each read-only, `cap_drop: ALL`, non-root, `no-new-privileges`; images built from each server's
 * Dockerfile, the gateway image (also the adapter of stdio/http/sse servers) from gateway/Dockerfile.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError } from "../k8s/validate.js";
import { Monitoring } from "../monitoring/index.js";
import { SESSION_SECRET_ENV } from "../../servers/catalog/derive.js";
import { adapterSessionSecret } from "../workload.js";
import { containerArgs, dockerFleetMonitoring, dockerFleetPlan, type DockerFleetMonitoringInput, type DockerFleetPlan, type DockerFleetPlanInput } from "./plan.js";

export interface DockerFleetArgs extends DockerFleetPlanInput {
  /** The gateway's session-sealing key (a Pulumi secret). */
  sessionSecret: pulumi.Input<string>;
  /** Server secret values by server then variable (Pulumi secrets); a server's missing secrets are errors. @default {} */
  serverSecrets?: Record<string, Record<string, pulumi.Input<string>>>;
  /**
   * Prometheus (127.0.0.1:9090) and Grafana (127.0.0.1:3000) containers scraping the gateway, with the generated
   * rules and dashboards bind-mounted from `docker.configDir`. @default undefined (none)
   */
  monitoring?: DockerFleetMonitoringInput;
}

export class DockerFleet extends pulumi.ComponentResource {
  readonly network: docker.Network;
  readonly containers: Record<string, docker.Container>;
  readonly gatewayUrl: string;
  readonly plan: DockerFleetPlan;
  readonly monitoring?: Monitoring;

  constructor(name: string, args: DockerFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems: string[] = [];
    if (args.gatewayPort !== undefined && (!Number.isInteger(args.gatewayPort) || args.gatewayPort < 1024 || args.gatewayPort > 65535)) {
      problems.push(`\`gatewayPort\` ${args.gatewayPort} is outside 1024-65535. Pick a free unprivileged port (e.g. 8080).`);
    }
    for (const { spec, file } of args.fleet.servers) {
      for (const variable of spec.secrets) {
        if (args.serverSecrets?.[spec.name]?.[variable] === undefined) {
          problems.push(`\`serverSecrets.${spec.name}.${variable}\` is missing: server "${spec.name}" (${file}) needs it. Set it with \`pulumi config set --secret --path 'serverSecrets.${spec.name}.${variable}' VALUE\`.`);
        }
      }
    }
    if (problems.length > 0) throw new ComponentArgsError(`DockerFleet "${name}"`, problems);
    super("mcp-fleet:docker:DockerFleet", name, {}, opts);
    this.containers = {};

    this.plan = dockerFleetPlan(args);
    const child = { parent: this };
    const root = args.fleet.root;
    this.network = new docker.Network(`${name}-net`, { name: this.plan.networkName, driver: "bridge", attachable: false }, child);
    const images = new Map<string, docker.Image>();
    const build = (key: string, imageName: string, dockerfile: string) => {
      const image = new docker.Image(`${name}-${key}-image`, { imageName, skipPush: true, build: { context: root, dockerfile: `${root}/${dockerfile}`, platform: "linux/amd64" } }, child);
      images.set(imageName, image);
      return image;
    };
    build("gateway", this.plan.gatewayImage.image, this.plan.gatewayImage.dockerfile);

    for (const c of this.plan.containers) {
      const image = c.build !== undefined ? build(c.role, c.image, c.build.dockerfile) : images.get(c.image);
      const secrets: Record<string, pulumi.Input<string>> = { ...(c.server === undefined ? {} : (args.serverSecrets?.[c.server] ?? {})) };
      if (c.sessionKey === "fleet") secrets[SESSION_SECRET_ENV] = args.sessionSecret;
      if (c.sessionKey === "adapter") secrets[SESSION_SECRET_ENV] = pulumi.output(args.sessionSecret).apply((fleetKey) => adapterSessionSecret(fleetKey, c.role));
      const envs: pulumi.Input<string>[] = [
        ...Object.entries(c.env).map(([k, v]) => `${k}=${v}`),
        ...c.secretEnv.map((k) => pulumi.secret(pulumi.interpolate`${k}=${secrets[k]!}`)),
      ];
      const imageRef: pulumi.Input<string> = image !== undefined ? image.repoDigest.apply((d) => d ?? c.image) : c.image;
      this.containers[c.role] = new docker.Container(`${name}-${c.role}`, containerArgs(c, { network: this.network.name, image: imageRef, envs }), { ...child, dependsOn: image !== undefined ? [image] : [] });
    }
    this.gatewayUrl = this.plan.gatewayUrl;
    if (args.monitoring !== undefined) {
      const monitoring = dockerFleetMonitoring(name, args.fleet, this.plan, args.monitoring);
      this.monitoring = new Monitoring(monitoring.name, monitoring.args, { ...child, dependsOn: Object.values(this.containers) });
    }
    this.registerOutputs({ gatewayUrl: this.gatewayUrl, network: this.network.name });
  }
}
