/**
 * `docker run` words for a planned container, from the same `containerArgs` the DockerFleet component gives the
 * Docker provider (hardening, user, memory, labels, entrypoint): the images run in tests exactly as the component
 * configures them, except for what the test's engine forces (see images.test.ts).
 */
import type { containerArgs } from "../plan.js";

export type ContainerArgs = ReturnType<typeof containerArgs<string>>;

/** `run -d --name ... --read-only --cap-drop ALL ... image [command]`, on `network`, with `mounts` (`-v` values). */
export function dockerRunWords(args: ContainerArgs, options: { network: "host" | "none"; mounts?: readonly string[] }): string[] {
  const words = ["run", "-d", "--name", args.name, "--network", options.network];
  if (args.readOnly) words.push("--read-only");
  for (const cap of args.capabilities.drops) words.push("--cap-drop", cap);
  words.push("--user", args.user);
  for (const opt of args.securityOpts) words.push("--security-opt", opt);
  for (const [path, opts] of Object.entries(args.tmpfs)) words.push("--tmpfs", `${path}:${opts}`);
  words.push("--restart", args.restart, "--memory", `${args.memory}m`);
  for (const { label, value } of args.labels) words.push("--label", `${label}=${value}`);
  for (const env of args.envs) words.push("-e", env);
  for (const mount of options.mounts ?? []) words.push("-v", mount);
  const [entrypoint, ...command] = args.entrypoints ?? [];
  if (entrypoint !== undefined) words.push("--entrypoint", entrypoint);
  words.push(args.image, ...command);
  return words;
}
