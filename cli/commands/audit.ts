/**
 * `mcp-fleet audit verify FILE`: checks a gateway audit log's hash chain. Exit 0 with the number of records, or
 * exit 1 naming the first line that was edited, removed before or moved.
 */
import { readFileSync } from "node:fs";
import { type Command } from "commander";
import { verifyChain } from "@mcp-fleet/gateway/audit";
import { CliError } from "../errors.js";

export function register(program: Command): void {
  const audit = program.command("audit").description("Work with the gateway's audit log");
  audit
    .command("verify")
    .description("Check that no record of an audit log was edited, removed or reordered; exit 1 naming the first that was")
    .argument("<file>", "the audit log (audit.file of the gateway config)")
    .option("--key-env <name>", "environment variable holding the audit key (audit.keyFromEnv), when the chain is keyed")
    .action((file: string, options: { keyEnv?: string }) => {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (error) {
        throw new CliError(`${file}: cannot read: ${(error as Error).message}`);
      }
      let key: Buffer | undefined;
      if (options.keyEnv !== undefined) {
        const value = process.env[options.keyEnv];
        if (value === undefined || value === "") throw new CliError(`--key-env names ${options.keyEnv}, which is unset. Export the audit key under that name.`);
        key = Buffer.from(value, "utf8");
      }
      const result = verifyChain(text, key);
      if (!result.ok) throw new CliError(`${file}: line ${result.line} ${result.problem}. The log was tampered with after it was written.`);
      process.stdout.write(`${file}: ${result.records} record${result.records === 1 ? "" : "s"}, chain intact.\n`);
    });
}
