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
  await terminate(children, graceMs);
  return children;
}

/**
 * SIGTERMs `pids`, waits up to `graceMs` for them to end, SIGKILLs those still running (a
 * stopped process, say), and resolves once they have ended.
 */
export async function terminate(pids: number[], graceMs: number): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    for (const pid of pids.filter(alive)) {
      try {
        process.kill(pid, name);
      } catch {
        // gone meanwhile
      }
    }
  };
  const wait = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  signal("SIGTERM");
  await wait(graceMs);
  signal("SIGKILL");
  await wait(200);
}
