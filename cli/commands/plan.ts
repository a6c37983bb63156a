/** `mcp-fleet plan --stack NAME [--json]`: the stack's resources, planned offline under Pulumi's mocks. */
import type { Command } from "commander";
import { planJson, planTree } from "../../components/plan/format.js";
import { planStack } from "../../stacks/plan-stack.js";
import { CliError } from "../errors.js";
import { stackOptionHelp } from "../stacks.js";

export function register(program: Command): void {
  program
    .command("plan")
    .description("Plan a stack offline (Pulumi mocks): the resource tree with counts, or every resource's inputs with --json. Secret values are masked.")
    .requiredOption("-s, --stack <name>", stackOptionHelp("plan"))
    .option("--json", "print every resource with its type, name, parent and inputs as JSON")
    .action(async (options: { stack: string; json?: boolean }) => {
      let plan;
      try {
        plan = await planStack({ stack: options.stack });
      } catch (error) {
        throw new CliError(`plan of stack "${options.stack}" failed: ${(error as Error).message}`);
      }
      const text = options.json === true ? `${JSON.stringify(planJson(plan.stack, plan.resources, plan.outputs, plan.placeholders), null, 2)}\n` : planTree(plan.stack, plan.resources, plan.placeholders);
      process.stdout.write(text);
    });
}
