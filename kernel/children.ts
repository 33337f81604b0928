/**
 * Child processes that cell code started (a server, `sleep`, a player): on shutdown the
 * kernel ends them, as ipykernel does, so that a restart leaves nothing running behind.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";

/**
 * Running direct children of `pid` (Linux reads /proc; elsewhere `ps`). A zombie (ended, not
 * yet reaped: TypeScript 7's process right after the engine closed it) is not one.
 */
export function childPids(pid: number = process.pid): number[] {
  if (process.platform === "linux") {
    const found: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
        // After "pid (command) state", the next field is the parent pid; the command may
        // contain spaces and parentheses, so split after its last ")".
        const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (Number(ppid) === pid && state !== "Z") found.push(Number(entry));
      } catch {
        // it exited while we looked
      }
    }
    return found;
  }
  if (process.platform === "win32") return [];
  try {
    const out = execFileSync("ps", ["-A", "-o", "pid=,ppid=,stat="], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return out
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter(([child, parent, stat]) => Number(parent) === pid && Number.isInteger(Number(child)) && !stat?.startsWith("Z"))
      .map(([child]) => Number(child));
  } catch {
    return [];
  }
}

/** Whether `pid` still runs (a zombie has ended). */
function alive(pid: number): boolean {
  if (process.platform === "linux") {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM every child, then SIGKILL those still running after `graceMs`. */
export async function terminateChildren(graceMs = 1000): Promise<number[]> {
  const children = childPids();
  for (const pid of children) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + graceMs;
  while (children.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const pid of children.filter(alive)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  return children;
}
