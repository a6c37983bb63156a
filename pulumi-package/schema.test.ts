/**
 * The package's provider as Pulumi runs it (a child process printing its port) asked for its schema over Pulumi's
 * provider gRPC protocol (`GetSchema`), the way `pulumi package add` does before generating SDKs. Every component
 * is there with typed inputs: no `pulumi.json#/Any` where the TypeScript type is known.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as Grpc from "@grpc/grpc-js";
import type * as ProviderGrpcPb from "@pulumi/pulumi/proto/provider_grpc_pb.js";
import type * as ProviderPb from "@pulumi/pulumi/proto/provider_pb.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const providerpb: typeof ProviderPb = require("@pulumi/pulumi/proto/provider_pb.js");
const providergrpc: typeof ProviderGrpcPb = require("@pulumi/pulumi/proto/provider_grpc_pb.js");
const grpc: typeof Grpc = createRequire(require.resolve("@pulumi/pulumi/proto/provider_grpc_pb.js"))("@grpc/grpc-js");

interface Property {
  type?: string;
  $ref?: string;
  items?: Property;
  additionalProperties?: Property;
  description?: string;
  plain?: boolean;
}
interface Schema {
  name: string;
  version: string;
  resources: Record<string, { isComponent: boolean; inputProperties: Record<string, Property>; requiredInputs?: string[]; properties: Record<string, Property> }>;
  types: Record<string, { type: string; properties?: Record<string, Property>; required?: string[]; enum?: { value: string }[] }>;
}

let child: ChildProcess | undefined;
let schema: Schema;

function waitForPort(process: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`the provider printed no port within ${timeoutMs} ms:\n${err}`)), timeoutMs);
    process.stderr?.on("data", (c: Buffer) => (err += c.toString()));
    process.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    process.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the provider exited (${code}) before printing its port:\n${err}`));
    });
  });
}

beforeAll(async () => {
  child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "index.ts")], { cwd: import.meta.dirname, stdio: ["ignore", "pipe", "pipe"] });
  const port = await waitForPort(child, 60_000);
  const client = new providergrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    const response = await new Promise<ProviderPb.GetSchemaResponse>((resolve, reject) =>
      client.getSchema(new providerpb.GetSchemaRequest(), (error, res) => (error ? reject(error) : resolve(res))),
    );
    schema = JSON.parse(response.getSchema()) as Schema;
  } finally {
    client.close();
  }
}, 120_000);

afterAll(() => {
  child?.kill("SIGTERM");
});

/** Every property reachable from a component's inputs, with its path, following `#/types/...` references once. */
function walk(properties: Record<string, Property>, path: string, seen = new Set<string>()): [string, Property][] {
  const out: [string, Property][] = [];
  for (const [name, prop] of Object.entries(properties)) {
    const here = `${path}.${name}`;
    out.push([here, prop]);
    for (const [suffix, inner] of [["[]", prop.items], ["{}", prop.additionalProperties]] as const) {
      if (inner !== undefined) out.push(...walk({ [suffix]: inner }, here, seen));
    }
    const ref = prop.$ref ?? prop.items?.$ref ?? prop.additionalProperties?.$ref;
    if (ref?.startsWith("#/types/") && !seen.has(ref)) {
      seen.add(ref);
      const type = schema.types[ref.slice("#/types/".length)];
      if (type?.properties !== undefined) out.push(...walk(type.properties, here, seen));
    }
  }
  return out;
}

describe("the mcp-fleet component package's schema, from the running provider", () => {
  it("names the package and offers McpServer, McpGateway, Monitoring and Fleet as components", () => {
    expect(schema.name).toBe("mcp-fleet");
    expect(schema.version).toBe("0.1.0");
    expect(Object.keys(schema.resources).sort()).toEqual(["mcp-fleet:index:Fleet", "mcp-fleet:index:McpGateway", "mcp-fleet:index:McpServer", "mcp-fleet:index:Monitoring"]);
    for (const resource of Object.values(schema.resources)) expect(resource.isComponent).toBe(true);
  });

  it("types every input: no Any anywhere in the components' inputs", () => {
    const untyped = Object.entries(schema.resources).flatMap(([token, r]) =>
      walk(r.inputProperties, token)
        .filter(([, p]) => p.$ref === "pulumi.json#/Any" || (p.type === undefined && p.$ref === undefined))
        .map(([path]) => path),
    );
    expect(untyped).toEqual([]);
  });

  it("gives each component its required inputs and typed outputs", () => {
    const r = (name: string) => schema.resources[`mcp-fleet:index:${name}`]!;
    expect(r("McpServer").requiredInputs?.sort()).toEqual(["gatewayImage", "namespace", "server"]);
    expect(r("McpGateway").requiredInputs?.sort()).toEqual(["image", "namespace", "secrets", "servers"]);
    expect(r("Monitoring").requiredInputs?.sort()).toEqual(["mode", "servers"]);
    expect(r("Fleet").requiredInputs?.sort()).toEqual(["gatewayImage", "gatewaySecrets", "namespace", "servers"]);
    expect(r("McpServer").properties).toMatchObject({ serviceName: { type: "string" }, url: { type: "string" } });
    expect(r("Fleet").properties).toMatchObject({ gatewayUrl: { type: "string" }, namespace: { type: "string" } });
    // Secrets are inputs (Pulumi secrets from the caller's config), never plain values.
    expect(r("Fleet").inputProperties.gatewaySecrets).toMatchObject({ type: "object", additionalProperties: { type: "string" } });
    expect(r("Fleet").inputProperties.gatewaySecrets?.additionalProperties?.plain).toBeUndefined();
  });

  it("describes a server as the catalog does: the spec's fields, enums for the transport type, isolation and protocol", () => {
    const server = schema.types["mcp-fleet:index:Server"]!;
    expect(Object.keys(server.properties ?? {}).sort()).toEqual(
      ["access", "credentials", "description", "env", "healthCheck", "isolation", "labels", "name", "owner", "port", "protocol", "rateLimits", "replicas", "resources", "secrets", "slo", "timeoutMs", "tools", "transport", "instances", "balancing", "breaker", "retries", "fallback", "canary"].sort(),
    );
    expect(server.required?.sort()).toEqual(["description", "name", "owner", "port", "transport"]);
    expect(schema.types["mcp-fleet:index:TransportType"]?.enum?.map((e) => e.value)).toEqual(["stdio", "http", "sse", "image"]);
    expect(schema.types["mcp-fleet:index:Isolation"]?.enum?.map((e) => e.value)).toEqual(["shared", "session"]);
    expect(schema.types["mcp-fleet:index:Protocol"]?.enum?.map((e) => e.value)).toEqual(["auto", "2025-11-25", "2026-07-28"]);
    expect(schema.types["mcp-fleet:index:MonitoringMode"]?.enum?.map((e) => e.value)).toEqual(["kube-prometheus-stack", "standalone", "docker"]);
  });
});
