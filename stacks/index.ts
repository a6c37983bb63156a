/**
 * The Pulumi program (`main` in Pulumi.yaml): reads the stack config, loads the catalog (servers/*.ts) and deploys
 * the fleet. Pulumi calls the default export; its result becomes the stack outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadCatalog, type Catalog } from "../servers/catalog/catalog.js";
import { parseStackConfig, readRawConfig } from "./config.js";
import { fleetProgram, readStackSecrets, type StackOutputs } from "./program.js";

export interface StackProgramOptions {
  /** Repository root of the catalog. @default found from the working directory */
  root?: string;
  /** Use this catalog instead of loading servers/*.ts (generated fleets, tests). */
  catalog?: Catalog;
}

/** The program with its inputs overridable: what `mcp-fleet plan` and the benchmark run under mocks. */
export async function stackProgram(options: StackProgramOptions = {}): Promise<StackOutputs> {
  const stack = pulumi.getStack();
  const config = parseStackConfig(readRawConfig(pulumi.runtime.allConfig()), stack);
  const catalog = options.catalog ?? (await loadCatalog(options.root !== undefined ? { root: options.root } : {}));
  return fleetProgram(config, catalog, readStackSecrets(catalog));
}

export default function main(): Promise<StackOutputs> {
  return stackProgram();
}
