/**
 * The Pulumi program (`main` in Pulumi.yaml): reads the stack config, loads the catalog (servers/*.ts) and deploys
 * the fleet. Pulumi calls the default export; its result becomes the stack outputs. (Pulumi refuses an entry module
 * with both a default and named exports: the reusable pieces live in program.ts.)
 */
import { stackProgram, type StackOutputs } from "./program.js";

export default function main(): Promise<StackOutputs> {
  return stackProgram();
}
