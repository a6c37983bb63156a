import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { ResourceRecord } from "../../policies/harness/types.js";
import { firstContainer, mutate, validFleet } from "../../policies/test/fixtures.js";
import { loadCatalog } from "../../servers/catalog/catalog.js";
import { ServerSpecSchema } from "../../servers/catalog/spec.js";
import { CliError } from "../errors.js";
import { runCheck, stackResourcesOf } from "./check.js";
import { runCli } from "./run-cli.test-helper.js";

function sink(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

const source = (resources: ResourceRecord[]) => async () => resources;

describe("mcp-fleet check (with a given set of resources)", () => {
  it("exits 0 with a one-line summary when the stack is clean", async () => {
    const out = sink();
    expect(await runCheck({ stack: "prod" }, source(validFleet()), out.stream)).toBe(0);
    expect(out.text()).toBe(
      `Policy check passed: stack prod, ${validFleet().length} resources, 29 policies of mcp-fleet v0.1.0 (policies/config/prod.json): 0 mandatory, 0 advisory violations.\n`,
    );
  });

  it("exits 1 on a mandatory violation, naming the policy, the resource and the fix", async () => {
    const broken = validFleet().map((r) => (r.name === "mcp-memory-deploy" ? mutate(r, (i) => (firstContainer(i).image = "ghcr.io/acme/memory:latest")) : r));
    const out = sink();
    expect(await runCheck({ stack: "prod" }, source(broken), out.stream)).toBe(1);
    expect(out.text()).toContain(
      [
        "    [mandatory]  mcp-fleet v0.1.0  mcp-image-pinned (kubernetes:apps/v1:Deployment: mcp-memory-deploy)",
        "    Container images must be pinned to a version tag or a digest.",
        "    Container `server` of Deployment `mcp-memory` image `ghcr.io/acme/memory:latest` uses `:latest`. Pin it to a version tag or a digest.",
      ].join("\n"),
    );
    expect(out.text()).toContain(`Policy check failed: stack prod, ${validFleet().length} resources`);
  });

  it("exits 0 in dev, where the same mistake is advisory", async () => {
    const broken = validFleet().map((r) => (r.name === "mcp-memory-deploy" ? mutate(r, (i) => (firstContainer(i).image = "ghcr.io/acme/memory:latest")) : r));
    const out = sink();
    expect(await runCheck({ stack: "dev" }, source(broken), out.stream)).toBe(0);
    expect(out.text()).toContain("[advisory]  mcp-fleet v0.1.0  mcp-image-pinned");
    expect(out.text()).toContain("0 mandatory, 1 advisory violation.");
  });

  it("prints the violations as JSON with --json", async () => {
    const broken = validFleet().map((r) => (r.name === "mcp-memory-svc" ? mutate(r, (i) => (i.spec.type = "LoadBalancer")) : r));
    const out = sink();
    expect(await runCheck({ stack: "staging", json: true }, source(broken), out.stream)).toBe(1);
    const report = JSON.parse(out.text()) as { stack: string; resources: number; violations: Array<Record<string, unknown>> };
    expect(report.stack).toBe("staging");
    expect(report.resources).toBe(validFleet().length);
    expect(report.violations.map((v) => [v.policyName, v.enforcementLevel, v.resourceType, v.resourceName, v.detail])).toEqual([
      [
        "mcp-only-gateway-exposed",
        "mandatory",
        "kubernetes:core/v1:Service",
        "mcp-memory-svc",
        "Service `mcp-memory` is of type LoadBalancer; only the gateway may be exposed outside the cluster. Use type ClusterIP.",
      ],
    ]);
  });

  it("refuses a stack without a pack config, naming the file", async () => {
    await expect(runCheck({ stack: "qa" }, source([]), sink().stream)).rejects.toThrow(CliError);
    await expect(runCheck({ stack: "qa" }, source([]), sink().stream)).rejects.toThrow(/policies\/config\/qa\.json: no such policy pack config\. Create it/);
  });
});

describe("mcp-fleet check on the shipped stacks (run under mocks)", () => {
  it.each(["dev", "staging", "prod"])("passes the %s stack with zero violations (real process, exit 0)", async (stack) => {
    const run = await runCli(["check", "--stack", stack], { timeoutMs: 55_000 });
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(new RegExp(`^Policy check passed: stack ${stack}, \\d+ resources, 29 policies of mcp-fleet v0\\.1\\.0 \\(policies/config/${stack}\\.json\\): 0 mandatory, 0 advisory violations\\.\\n$`));
    expect(run.code).toBe(0);
  });

  it("fails prod when servers with a token in plain env get past the catalog, naming the policy, the resource and the fix", async () => {
    // The catalog refuses these specs (`mcp-fleet validate`); the pack is the backstop for what reaches a deploy anyway.
    const shipped = await loadCatalog();
    const unchecked = (file: string, spec: unknown) => ({ file, spec: ServerSpecSchema.parse(spec) });
    const catalog = {
      root: shipped.root,
      servers: [
        ...shipped.servers,
        unchecked("servers/github.ts", { name: "github", description: "GitHub tools", owner: "devtools", port: 3110, transport: { type: "image", image: "ghcr.io/github/github-mcp-server:0.5.0" }, env: { GITHUB_PERSONAL_ACCESS_TOKEN: "ghp_123" } }),
        unchecked("servers/slack.ts", { name: "slack", description: "Slack tools", owner: "devtools", port: 3111, transport: { type: "stdio", command: "node", args: ["slack.js"] }, env: { SLACK_BOT_TOKEN: "xoxb-123" } }),
      ],
    };
    const out = sink();
    const code = await runCheck({ stack: "prod" }, stackResourcesOf({ catalog }), out.stream);
    expect(out.text()).toContain(
      [
        "    [mandatory]  mcp-fleet v0.1.0  mcp-secret-env-from-secret-ref (kubernetes:apps/v1:Deployment: mcp-github-deploy)",
        "    Environment variables that look secret must come from secret references.",
        "    Container `server` of Deployment `mcp-github` sets `GITHUB_PERSONAL_ACCESS_TOKEN` as a plain value; it looks secret. Take it from a Secret (`valueFrom.secretKeyRef`).",
      ].join("\n"),
    );
    expect(out.text()).toContain(
      "    Gateway config `gateway.yaml` in ConfigMap `mcp-slack-config`: server `slack` sets env `SLACK_BOT_TOKEN` in plain text; it looks secret. Declare it in the server spec's `secrets` so it comes from a Secret.",
    );
    expect(out.text()).toMatch(/Policy check failed: stack prod, \d+ resources, 29 policies of mcp-fleet v0\.1\.0 \(policies\/config\/prod\.json\): \d+ mandatory/);
    expect(code).toBe(1);
  });
});

describe("mcp-fleet check on a broken stack config", () => {
  it("fails prod when its Ingress loses TLS (mcp-fleet:tls false)", async () => {
    const out = sink();
    const code = await runCheck({ stack: "prod" }, stackResourcesOf({ config: { "mcp-fleet:tls": "false" } }), out.stream);
    expect(out.text()).toContain(
      [
        "    [mandatory]  mcp-fleet v0.1.0  mcp-ingress-tls (kubernetes:networking.k8s.io/v1:Ingress: mcp-gateway-ingress)",
        "    The gateway's Ingress must terminate TLS for every host.",
        "    Ingress `mcp-gateway` must terminate TLS: add `spec.tls` with a certificate Secret for `mcp.example.com`.",
      ].join("\n"),
    );
    expect(code).toBe(1);
  });
});
