/**
 * The child processes the kernel ends at shutdown (children.ts): running ones, not zombies
 * (ended, not yet reaped), which the kernel once counted as "started by cells" and waited a
 * second for; and how it ends them.
 */
import { expect } from "chai";
import { spawn } from "child_process";
import fs from "fs";
import { childPids, terminate } from "../../kernel/children";

/** Children of `pid` in /proc, with their state letter. */
function childStates(pid: number): string[] {
  const states: string[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const [state, ppid] = fs.readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1].split(" ");
      if (Number(ppid) === pid) states.push(state);
    } catch {
      // ended meanwhile
    }
  }
  return states;
}

describe("kernel child processes", function () {
  this.timeout(20_000);

  it("lists running children, not zombies", async function () {
    if (process.platform !== "linux") this.skip(); // reads /proc
    // `sleep 5` replaces the shell and never reaps the shell's background `true`: a zombie child.
    const parent = spawn("sh", ["-c", "true & exec sleep 5"], { stdio: "ignore" });
    try {
      const deadline = Date.now() + 5000;
      while (!childStates(parent.pid!).includes("Z") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(childStates(parent.pid!)).to.deep.equal(["Z"]);
      expect(childPids(parent.pid!)).to.deep.equal([]);
    } finally {
      parent.kill("SIGKILL");
    }
  });

  it("ends processes with SIGTERM, and with SIGKILL those that ignore it, resolving once they have ended", async () => {
    const polite = spawn("sleep", ["30"], { stdio: "ignore" });
    // The shell ignores SIGTERM and says when its trap is set; `sleep` in the foreground keeps it waiting.
    const stubborn = spawn("sh", ["-c", "trap '' TERM; echo set; sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
    await new Promise((resolve) => stubborn.stdout!.once("data", resolve));
    const exits = [polite, stubborn].map((child) => new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal))));
    const pids = [polite.pid!, stubborn.pid!];
    expect(childPids()).to.include.members(pids);
    const started = Date.now();
    await terminate(pids, 300);
    expect(Date.now() - started).to.be.at.least(300); // it waited for the stubborn one before killing it
    expect(childPids()).not.to.include.members([polite.pid!]).and.not.to.include.members([stubborn.pid!]);
    expect(await Promise.all(exits)).to.deep.equal(["SIGTERM", "SIGKILL"]);
  });
});
