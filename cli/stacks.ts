/** The stacks that exist (`stacks/Pulumi.<name>.yaml`), for the `--stack` help of plan, synth and check. */
import { listStacks } from "../stacks/plan-stack.js";
import { findRepoRoot } from "../servers/catalog/catalog.js";

/** `--stack` help text: what the option does, then the stacks of this checkout by name. */
export function stackOptionHelp(doing: string, root = findRepoRoot()): string {
  const stacks = listStacks(root);
  return `stack to ${doing}: ${stacks.length > 0 ? stacks.join(", ") : "none yet"} (stacks/Pulumi.<name>.yaml)`;
}
