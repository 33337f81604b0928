/**
 * The child processes the kernel ends at shutdown (children.ts): running ones, not zombies
 * (ended, not yet reaped), which the kernel once counted as "started by cells" and waited a
 * second for.
 */
import { expect } from "chai";
import { spawn } from "child_process";
import fs from "fs";
import { childPids } from "../../kernel/children";

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

});
