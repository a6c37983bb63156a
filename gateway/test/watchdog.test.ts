/**
 * A gateway killed with SIGKILL runs no handler, so it cannot kill its stdio children's process groups itself. Each
 * child's group carries a watchdog that ends the group when the gateway's end of a pipe closes: tested with a
 * backend that ignores EOF on stdin and has a grandchild.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FIXTURE, gatewayProcess, waitFor } from "./helpers.js";

/** Pids of live (non-zombie) processes in process group `pgid`. */
function groupMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe("stdio children of a gateway killed with SIGKILL", () => {
  it("exit with it, grandchildren included, even when they ignore EOF on stdin", async () => {
    const gw = await gatewayProcess({
      servers: [{ name: "stubborn", transport: "stdio", command: "node", args: ["--import", "tsx", FIXTURE], env: { FIXTURE_IGNORE_EOF: "1" } }],
    });
    let members: number[] = [];
    try {
      const status = (await (await fetch(new URL("/status", gw.url))).json()) as { servers: { state: string }[] };
      expect(status.servers[0]!.state).toBe("up");
      // The backend's group: its leader is the gateway's child.
      const children = readFileSync(`/proc/${gw.pid}/task/${gw.pid}/children`, "utf8").trim().split(/\s+/).map(Number);
      const leader = children.find((pid) => groupMembers(pid).length > 1)!;
      members = await waitFor(() => {
        const m = groupMembers(leader);
        return m.length >= 3 ? m : undefined; // server, its grandchild, the watchdog
      }, "the backend's grandchild");
      gw.child.kill("SIGKILL");
      await gw.exited;
      const left = await waitFor(() => (members.every((pid) => groupMembers(leader).includes(pid) === false) ? [] : undefined), "the group to exit", 100, 50).catch(() => groupMembers(leader));
      expect(left).toEqual([]);
    } finally {
      for (const pid of members) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await gw.stop();
    }
  });
});
