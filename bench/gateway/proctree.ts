/**
 * CPU time and memory of a process tree (a target and every descendant: backends, per-session children), read
 * from /proc. Linux only.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux for x86 and arm). */
const TICKS_PER_SECOND = 100;

interface Stat {
  ppid: number;
  /** utime + stime, in ticks. */
  cpuTicks: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces and parentheses) start after the last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // fields[0] is state (field 3); ppid is field 4, utime 14, stime 15.
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** `root` and all its descendants that are alive now. */
export function treePids(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat === undefined) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(pid);
    children.set(stat.ppid, list);
  }
  const result: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    result.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return result;
}

/** CPU ticks used so far by each process of the tree. */
export function cpuSnapshot(root: number): Map<number, number> {
  const snapshot = new Map<number, number>();
  for (const pid of treePids(root)) {
    const stat = readStat(pid);
    if (stat !== undefined) snapshot.set(pid, stat.cpuTicks);
  }
  return snapshot;
}

/** CPU milliseconds the tree spent between two snapshots (processes that appeared in between count in full). */
export function cpuMsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** Resident memory of the whole tree now, in bytes (sum of VmRSS). */
export function treeRssBytes(root: number): number {
  let total = 0;
  for (const pid of treePids(root)) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (match?.[1] !== undefined) total += Number(match[1]) * 1024;
    } catch {
      // exited
    }
  }
  return total;
}
