/**
 * The dev fleet as a Docker Compose project, for users without Pulumi (`mcp-fleet synth --stack dev --format compose`):
 * the same containers the DockerFleet component creates, from the same decisions: every service is the
 * `containerArgs` of a planned container (plan.ts) or a container of the Monitoring component's docker plan
 * (monitoring/docker.ts), turned into compose keys one for one. A container argument this module does not know
 * fails the export instead of being dropped, so a hardening flag added to the components reaches the compose file or
 * stops it. Secrets are references only: `${VAR:?...}`, interpolated by compose from the environment or `.env`.
 */
import { posix, relative, sep } from "node:path";
import { stringify } from "yaml";
import { containerArgs, type DockerContainerPlan, type DockerFleetPlan } from "./plan.js";

/** A container's arguments as the components give them to the Docker provider (plain values). */
interface PlainContainerArgs {
  name: string;
  image: string;
  entrypoints?: string[];
  command?: string[];
  envs?: string[];
  uploads?: { file: string; content: string }[];
  networksAdvanced?: { name: string; aliases: string[] }[];
  networkMode?: string;
  ports?: { internal: number; external: number; ip: string }[];
  labels?: { label: string; value: string }[];
  readOnly?: boolean;
  capabilities?: { drops: string[] };
  user?: string;
  securityOpts?: string[];
  tmpfs?: Record<string, string>;
  restart?: string;
  init?: boolean;
  memory?: number;
  mounts?: { type: string; source: string; target: string; readOnly?: boolean }[];
  healthcheck?: { tests: string[]; interval?: string; timeout?: string; retries?: number };
}

const KNOWN_KEYS = new Set<string>(["name", "image", "entrypoints", "command", "envs", "uploads", "networksAdvanced", "networkMode", "ports", "labels", "readOnly", "capabilities", "user", "securityOpts", "tmpfs", "restart", "init", "memory", "mounts", "healthcheck"]);

/** A secret a service reads from the environment compose runs in. */
export interface ComposeVariable {
  name: string;
  /** Which container needs it, and for what. */
  description: string;
}

export interface ComposeExport {
  /** Files by path relative to the output directory: `docker-compose.yml`, the configs, the monitoring files, `.env.example`. */
  files: Record<string, string>;
  variables: ComposeVariable[];
}

export interface ComposeInput {
  plan: DockerFleetPlan;
  /** Repository root: the build context (written relative to the output directory). */
  root: string;
  /** Absolute output directory (paths under it are written relative, so the project can move). */
  outdir: string;
  /** The Monitoring component's docker plan (its files under `<outdir>/monitoring`), when the stack has monitoring. */
  monitoring?: { files: Record<string, string>; containers: { name: string; args: object }[] };
}

/** `MCP_FLEET_SESSION_SECRET_EVERYTHING`: the host variable of an adapter's session key. */
export function adapterSessionVariable(role: string): string {
  return `MCP_FLEET_SESSION_SECRET_${role.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

const toPosix = (path: string) => path.split(sep).join("/");

/** A path as the compose file writes it: relative (`./x`, `../x`) to the output directory. */
function fromOutdir(outdir: string, path: string): string {
  const rel = toPosix(relative(outdir, path));
  return rel === "" ? "." : rel.startsWith("..") ? rel : `./${rel}`;
}

function serviceOf(args: PlainContainerArgs, outdir: string, build?: { context: string; dockerfile: string }): Record<string, unknown> {
  const unknown = Object.keys(args).filter((k) => !KNOWN_KEYS.has(k));
  if (unknown.length > 0) throw new Error(`container ${args.name} has arguments the compose export does not map: ${unknown.join(", ")}. Map them in components/docker/compose.ts.`);
  const service: Record<string, unknown> = { container_name: args.name, image: args.image };
  if (build !== undefined) service.build = build;
  if (args.entrypoints !== undefined) service.entrypoint = [...args.entrypoints];
  if (args.command !== undefined) service.command = [...args.command];
  if (args.envs !== undefined && args.envs.length > 0) service.environment = [...args.envs];
  if (args.networkMode !== undefined) service.network_mode = args.networkMode;
  if (args.networksAdvanced !== undefined) service.networks = Object.fromEntries(args.networksAdvanced.map((n) => [n.name, { aliases: [...n.aliases] }]));
  if (args.ports !== undefined && args.ports.length > 0) service.ports = args.ports.map((p) => `${p.ip}:${p.external}:${p.internal}`);
  if (args.readOnly !== undefined) service.read_only = args.readOnly;
  if (args.capabilities !== undefined) service.cap_drop = [...args.capabilities.drops];
  if (args.user !== undefined) service.user = args.user;
  if (args.securityOpts !== undefined) service.security_opt = [...args.securityOpts];
  if (args.tmpfs !== undefined) service.tmpfs = Object.entries(args.tmpfs).map(([path, opts]) => `${path}:${opts}`);
  if (args.restart !== undefined) service.restart = args.restart;
  if (args.init !== undefined) service.init = args.init;
  if (args.memory !== undefined) service.mem_limit = `${args.memory}m`;
  const volumes: Record<string, unknown>[] = [];
  // Uploads (the component copies them into the container) become read-only binds of the files written beside.
  for (const dir of new Set((args.uploads ?? []).map((u) => posix.dirname(u.file)))) {
    volumes.push({ type: "bind", source: `./config/${args.name}`, target: dir, read_only: true });
  }
  for (const m of args.mounts ?? []) volumes.push({ type: m.type, source: m.source.startsWith("/") ? fromOutdir(outdir, m.source) : m.source, target: m.target, read_only: m.readOnly ?? false });
  if (volumes.length > 0) service.volumes = volumes;
  if (args.healthcheck !== undefined) {
    const h = args.healthcheck;
    service.healthcheck = { test: [...h.tests], ...(h.interval !== undefined ? { interval: h.interval } : {}), ...(h.timeout !== undefined ? { timeout: h.timeout } : {}), ...(h.retries !== undefined ? { retries: h.retries } : {}) };
  }
  if (args.labels !== undefined && args.labels.length > 0) service.labels = Object.fromEntries(args.labels.map((l) => [l.label, l.value]));
  return service;
}

/** The host variables a planned container's secret env vars are read from. */
function secretVariables(c: DockerContainerPlan): { env: string; variable: string; description: string }[] {
  return c.secretEnv.map((env) => {
    if (env === "MCP_FLEET_SESSION_SECRET" && c.sessionKey === "adapter") {
      return { env, variable: adapterSessionVariable(c.role), description: `session key of ${c.containerName}'s adapter (any random value: openssl rand -hex 32)` };
    }
    if (c.sessionKey === "fleet" && env === "MCP_FLEET_SESSION_SECRET") {
      return { env, variable: env, description: `the gateway's session key (${c.containerName}; openssl rand -hex 32)` };
    }
    return { env, variable: env, description: `secret ${env} of server ${c.server ?? c.role} (${c.containerName})` };
  });
}

export function composeExport(input: ComposeInput): ComposeExport {
  const { plan, outdir } = input;
  const files: Record<string, string> = {};
  const variables: ComposeVariable[] = [];
  const services: Record<string, unknown> = {};
  const context = fromOutdir(outdir, input.root);
  for (const c of plan.containers) {
    const secrets = secretVariables(c);
    for (const s of secrets) if (!variables.some((v) => v.name === s.variable)) variables.push({ name: s.variable, description: s.description });
    const envs = [...Object.entries(c.env).map(([k, v]) => `${k}=${v}`), ...secrets.map((s) => `${s.env}=\${${s.variable}:?set ${s.variable} (see .env.example)}`)];
    const args = containerArgs(c, { network: plan.networkName, image: c.image, envs });
    for (const u of args.uploads) files[`config/${args.name}/${posix.basename(u.file)}`] = u.content;
    const dockerfile = c.build?.dockerfile ?? (c.image === plan.gatewayImage.image ? plan.gatewayImage.dockerfile : undefined);
    services[c.containerName] = serviceOf(args, outdir, dockerfile !== undefined ? { context, dockerfile } : undefined);
  }
  if (input.monitoring !== undefined) {
    for (const [path, content] of Object.entries(input.monitoring.files)) files[`monitoring/${path}`] = content;
    for (const c of input.monitoring.containers) services[c.name] = serviceOf(c.args as PlainContainerArgs, outdir);
  }
  const project = {
    services,
    networks: { [plan.networkName]: { name: plan.networkName, driver: "bridge" } },
  };
  const header = [
    "# The dev fleet as a Docker Compose project, generated by `mcp-fleet synth --stack dev --format compose` from the",
    "# same plan as the DockerFleet component (`pulumi up -s dev`). Do not edit: regenerate. Secrets are references:",
    "# set the variables of .env.example in the environment or in .env beside this file, then",
    "#   docker-compose up --build",
  ];
  files["docker-compose.yml"] = `${header.join("\n")}\n${stringify(project, { lineWidth: 0 })}`;
  files[".env.example"] = `${["# The secrets docker-compose.yml references (never written into it). Copy to .env and fill in.", ...variables.map((v) => `# ${v.description}\n${v.name}=`)].join("\n")}\n`;
  return { files, variables };
}
