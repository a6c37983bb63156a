/**
 * The `docker run` flags of a fleet container, from the same decisions the DockerFleet component gives the Docker
 * provider ({@link CONTAINER_HARDENING}, the plan's memory): for running the images by hand or in tests exactly as the
 * components configure them.
 */
import { CONTAINER_HARDENING } from "./plan.js";

/** `--read-only --cap-drop ALL --user 10001:10001 --security-opt ... --tmpfs /tmp:... --restart ... --memory Nm`. */
export function hardeningRunArgs(memoryMb?: number): string[] {
  const h = CONTAINER_HARDENING;
  return [
    ...(h.readOnly ? ["--read-only"] : []),
    ...h.capDrops.flatMap((c) => ["--cap-drop", c]),
    "--user",
    h.user,
    ...h.securityOpts.flatMap((o) => ["--security-opt", o]),
    ...Object.entries(h.tmpfs).flatMap(([path, opts]) => ["--tmpfs", `${path}:${opts}`]),
    "--restart",
    h.restart,
    ...(memoryMb !== undefined ? ["--memory", `${memoryMb}m`] : []),
  ];
}
