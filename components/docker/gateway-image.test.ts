/**
 * gateway/Dockerfile against what the components expect of the gateway image (it runs the central gateway and every
 * adapter). Docker images cannot be pulled here, so the image is never built: this checks, offline, the Dockerfile's
 * instructions and the build context (.dockerignore) against the paths, user, command and port the components use.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, posix } from "node:path";
import { parseGatewayConfig } from "@mcp-fleet/gateway/config";
import { beforeAll, describe, expect, it } from "vitest";
import { findRepoRoot, loadCatalog, type Catalog } from "../../servers/catalog/catalog.js";
import type { DockerNetwork, FleetModel } from "../../servers/catalog/derive.js";
import { RUN_AS_USER } from "../k8s/builders/pod.js";
import { dockerFleet } from "../testing/fixtures.js";
import { GATEWAY_COMMAND, GATEWAY_CONFIG_DIR, GATEWAY_IMAGE_WORKDIR, workloadOf } from "../workload.js";
import { CONTAINER_HARDENING, dockerFleetPlan } from "./plan.js";

const root = findRepoRoot();

interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

/** Dockerfile instructions, with line continuations joined and comments dropped; `stage` counts FROMs from 0. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = "";
  let stage = -1;
  for (const rawLine of text.split("\n")) {
    const line = rawLine.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    if (pending !== "" && line.startsWith("#")) continue; // a comment inside a continued instruction
    pending += (pending === "" ? "" : " ") + line.replace(/\\$/, "").trim();
    if (line.endsWith("\\")) continue;
    const m = /^(\w+)\s+(.*)$/.exec(pending);
    pending = "";
    if (m === null) continue;
    const keyword = m[1]!.toUpperCase();
    if (keyword === "FROM") stage++;
    out.push({ keyword, args: m[2]!, stage });
  }
  return out;
}

/** `["a", "b"]` (exec form) or `a b` (shell form) to words. */
function words(args: string): string[] {
  return args.trim().startsWith("[") ? (JSON.parse(args) as string[]) : args.trim().split(/\s+/);
}

/** Whether the build context includes a repository-relative path, per .dockerignore (last matching pattern wins; a pattern matching a parent directory matches its contents). */
function inContext(ignore: string[], path: string): boolean {
  const toRegex = (pattern: string) =>
    new RegExp(
      "^" +
        pattern
          .replace(/\/$/, "")
          .split("/")
          .map((seg) => (seg === "**" ? ".*" : seg.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")))
          .join("/")
          .replace(/\.\*\//g, "(?:.*/)?") +
        "$",
    );
  const prefixes = path.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
  let included = true;
  for (const line of ignore) {
    const negated = line.startsWith("!");
    const re = toRegex(negated ? line.slice(1) : line);
    if (prefixes.some((p) => re.test(p))) included = negated;
  }
  return included;
}

const dockerfileText = readFileSync(join(root, "gateway/Dockerfile"), "utf8");
const instructions = parseDockerfile(dockerfileText);
const finalStage = Math.max(...instructions.map((i) => i.stage));
const final = (keyword: string) => instructions.filter((i) => i.stage === finalStage && i.keyword === keyword);
const runText = final("RUN")
  .map((i) => i.args)
  .join(" && ");
const ignore = readFileSync(join(root, ".dockerignore"), "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"));
/** Where the final stage puts each COPY source from the build context: [source, destination in the image]. */
const copies: [string, string][] = final("COPY")
  .filter((i) => !i.args.includes("--from"))
  .flatMap((i) => {
    const parts = words(i.args);
    const dest = parts.at(-1)!;
    return parts.slice(0, -1).map((src): [string, string] => [src.replace(/\/$/, ""), posix.resolve(GATEWAY_IMAGE_WORKDIR, dest.endsWith("/") && !src.endsWith("/") ? posix.join(dest, posix.basename(src)) : dest)]);
  });

/** Whether `imagePath` (absolute) is in the final image: under a COPY destination whose source exists in the context. */
function shippedFromRepo(imagePath: string): string | undefined {
  for (const [src, dest] of copies) {
    if (imagePath === dest || imagePath.startsWith(dest + "/")) {
      const repoPath = posix.join(src, posix.relative(dest, imagePath));
      return existsSync(join(root, repoPath)) && inContext(ignore, repoPath) ? repoPath : undefined;
    }
  }
  return undefined;
}

let catalog: Catalog;
let fleet: FleetModel<DockerNetwork>;
beforeAll(async () => {
  catalog = await loadCatalog({ root });
  fleet = dockerFleet(catalog);
});

describe("gateway/Dockerfile", () => {
  it("is multi-stage and every FROM is a Node 24 slim image pinned to an exact version", () => {
    const froms = instructions.filter((i) => i.keyword === "FROM").map((i) => words(i.args)[0]!);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const image of froms) expect(image).toMatch(/^node:24\.\d+\.\d+-(?:[a-z]+-)?slim$/);
    // Production dependencies come from the lockfile, dev dependencies left out.
    const ci = instructions.filter((i) => i.keyword === "RUN" && i.stage < finalStage && /\bnpm ci\b/.test(i.args));
    expect(ci).toHaveLength(1);
    expect(ci[0]!.args).toContain("--omit=dev");
    expect(final("COPY").some((i) => i.args === "--from=deps /app/node_modules ./node_modules")).toBe(true);
  });

  it("works in the directory the components give stdio servers as cwd", () => {
    expect(final("WORKDIR").map((i) => i.args).at(-1)).toBe(GATEWAY_IMAGE_WORKDIR);
    const adapters = fleet.servers.map((s) => workloadOf(s, { gatewayImage: "gw", builtImage: () => "b" })).filter((w) => w.kind === "adapter");
    expect(adapters.length).toBeGreaterThan(0);
    const stdioCwds = adapters.flatMap((w) => w.config.servers.filter((s) => s.transport === "stdio").map((s) => s.cwd));
    expect(stdioCwds.length).toBeGreaterThan(0);
    expect(new Set(stdioCwds)).toEqual(new Set([GATEWAY_IMAGE_WORKDIR]));
  });

  it("ships every file a shipped stdio server's adapter runs (paths relative to the working directory)", () => {
    // What the image's `npm ci` installs: the production dependencies of the workspaces it names.
    const ci = instructions.find((i) => i.keyword === "RUN" && /\bnpm ci\b/.test(i.args))!;
    const workspaces = [...ci.args.matchAll(/--workspace[= ](\S+)/g)].map((m) => m[1]!);
    expect(workspaces.sort()).toEqual(["gateway", "servers/runtime"]);
    const installed = new Set(workspaces.flatMap((w) => Object.keys((JSON.parse(readFileSync(join(root, w, "package.json"), "utf8")) as { dependencies?: Record<string, string> }).dependencies ?? {})));
    let checked = 0;
    const problems: string[] = [];
    for (const entry of fleet.servers) {
      const w = workloadOf(entry, { gatewayImage: "gw", builtImage: () => "b" });
      if (w.kind !== "adapter") continue;
      for (const backend of w.config.servers) {
        if (backend.transport !== "stdio") continue;
        if (backend.command !== "node") problems.push(`${entry.file}: the image has node, not ${backend.command}`);
        for (const arg of backend.args ?? []) {
          if (arg.startsWith("-") || !arg.includes("/")) continue;
          checked++;
          if (arg.startsWith("node_modules/")) {
            // Installed by the image's `npm ci --omit=dev --workspace ...`: a production dependency of one of them.
            const name = arg.split("/").slice(1, arg.startsWith("node_modules/@") ? 3 : 2).join("/");
            if (!installed.has(name)) problems.push(`${entry.file}: ${name} must be a dependency (not dev) of ${workspaces.join(" or ")} (servers/runtime/package.json)`);
            if (!existsSync(join(root, arg))) problems.push(`${entry.file}: ${arg} does not exist`);
          } else if (shippedFromRepo(posix.resolve(GATEWAY_IMAGE_WORKDIR, arg)) === undefined) {
            problems.push(`${entry.file}: ${arg} is not copied into the image`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it("runs as the numeric non-root user the components set", () => {
    const user = final("USER").map((i) => i.args.trim());
    expect(user).toHaveLength(1);
    expect(user[0]).toMatch(/^\d+:\d+$/); // numeric: Kubernetes' runAsNonRoot can verify it
    const [uid, gid] = user[0]!.split(":").map(Number);
    expect(uid).not.toBe(0);
    expect([uid, gid]).toEqual([RUN_AS_USER, RUN_AS_USER]);
    expect(user[0]).toBe(CONTAINER_HARDENING.user);
    // USER comes after every RUN: nothing in the image is written by (or owned by) the runtime user.
    const last = instructions.findIndex((i) => i.stage === finalStage && i.keyword === "USER");
    expect(instructions.slice(last).some((i) => i.keyword === "RUN" || i.keyword === "COPY")).toBe(false);
  });

  it("starts the gateway bin, reachable on PATH, with the command line the components give", () => {
    expect(words(final("ENTRYPOINT")[0]!.args)).toEqual([GATEWAY_COMMAND]);
    const gwPkg = JSON.parse(readFileSync(join(root, "gateway/package.json"), "utf8")) as { bin: Record<string, string> };
    const binFile = posix.join("gateway", gwPkg.bin[GATEWAY_COMMAND]!);
    expect(runText).toContain(`ln -s ${posix.join(GATEWAY_IMAGE_WORKDIR, binFile)} /usr/local/bin/${GATEWAY_COMMAND}`);
    expect(runText).toContain(`chmod 0755 ${binFile}`);
    expect(shippedFromRepo(posix.join(GATEWAY_IMAGE_WORKDIR, binFile))).toBe(binFile);
    expect(shippedFromRepo(posix.join(GATEWAY_IMAGE_WORKDIR, "gateway/src/main.ts"))).toBe("gateway/src/main.ts");
    // Docker and Kubernetes both run `mcp-fleet-gateway --config <dir>/gateway.yaml`, replacing the ENTRYPOINT.
    const plan = dockerFleetPlan({ fleet });
    for (const c of plan.containers.filter((c) => c.image === plan.gatewayImage.image)) expect(c.command?.[0]).toBe(GATEWAY_COMMAND);
    expect(plan.gatewayImage.dockerfile).toBe("gateway/Dockerfile");
  });

  it("has the config directory the components mount or upload into, as a volume (Docker uploads need one on a read-only root)", () => {
    expect(runText).toContain(`mkdir -p ${GATEWAY_CONFIG_DIR}`);
    expect(final("VOLUME").map((i) => words(i.args))).toContainEqual([GATEWAY_CONFIG_DIR]);
  });

  it("exposes the gateway's default port, the one the dev stack publishes", () => {
    const defaultPort = parseGatewayConfig({ servers: [{ name: "x", transport: "stdio", command: "node" }] }).listen.port;
    const exposed = final("EXPOSE").flatMap((i) => words(i.args).map((p) => Number(p.replace(/\/tcp$/, ""))));
    expect(exposed).toContain(defaultPort);
    const gw = dockerFleetPlan({ fleet }).containers.find((c) => c.role === "gateway")!;
    expect(exposed).toContain(gw.ports[0]!.internal);
  });

  it("writes nowhere but /tmp: HOME and TMPDIR are /tmp, server-memory's data directory points there", () => {
    const env = final("ENV").map((i) => i.args).join(" ");
    expect(env).toMatch(/\bHOME=\/tmp\b/);
    expect(env).toMatch(/\bTMPDIR=\/tmp\b/);
    // server-memory resolves MEMORY_FILE_PATH against its dist/ directory and writes via a rename in that directory.
    const memory = catalog.servers.find((e) => e.spec.name === "memory")!;
    const relative = memory.spec.env.MEMORY_FILE_PATH!;
    const distDir = posix.join(GATEWAY_IMAGE_WORKDIR, "node_modules/@modelcontextprotocol/server-memory/dist");
    const dataDir = posix.relative(GATEWAY_IMAGE_WORKDIR, posix.dirname(posix.resolve(distDir, relative)));
    expect(dataDir).toBe("servers/data/memory");
    expect(runText).toContain(`ln -s /tmp ${dataDir}`);
  });
});

describe(".dockerignore", () => {
  it("lets in every file a COPY of the gateway's and the servers' Dockerfiles takes, and nothing that must stay out", () => {
    const serverDockerfiles = readdirSync(join(root, "servers"), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, "servers", d.name, "Dockerfile")))
      .map((d) => `servers/${d.name}/Dockerfile`);
    expect(serverDockerfiles.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const file of ["gateway/Dockerfile", ...serverDockerfiles]) {
      for (const copy of parseDockerfile(readFileSync(join(root, file), "utf8")).filter((i) => i.keyword === "COPY" && !i.args.includes("--from"))) {
        for (const src of words(copy.args).slice(0, -1)) {
          if (!existsSync(join(root, src))) problems.push(`${file}: COPY ${src} does not exist`);
          if (!inContext(ignore, src.replace(/\/$/, ""))) problems.push(`${file}: COPY ${src} is excluded by .dockerignore`);
        }
      }
    }
    expect(problems).toEqual([]);
    const inside = ["gateway/src/main.ts", "servers/data/filesystem/notes/welcome.txt", "servers/hello/src/stdio.ts", "servers/catalog/spec.ts"];
    expect(inside.filter((p) => !inContext(ignore, p))).toEqual([]);
    const outside = [".git/HEAD", "node_modules/zod/package.json", "gateway/node_modules/x", "stacks/Pulumi.prod.yaml", "gateway/test/helpers.ts", "servers/hello/hello.test.ts", "servers/data/memory/memory.json", "out/x.yaml", "components/workload.ts"];
    expect(outside.filter((p) => inContext(ignore, p))).toEqual([]);
  });
});
