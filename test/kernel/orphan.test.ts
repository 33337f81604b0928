/**
 * A kernel whose launcher is killed outright (SIGKILL: no chance to clean up) notices that
 * its parent has gone, exits even while a cell spins, and removes the connection file (the
 * key) that the launcher wrote for it.
 */
import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { alive, repoRoot, sleep } from "./helpers";

const launcher = path.join(repoRoot, "dist", "test", "kernel", "fixtures", "orphan-launcher.js");

/** Waits until `done()` holds, checking every 100 ms; false if it never did within `ms`. */
async function eventually(done: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (done()) return true;
  return done();
}

describe("orphaned kernels", function () {
  this.timeout(60000);
  let kernelPid: number | undefined;

  afterEach(function () {
    if (kernelPid !== undefined && alive(kernelPid)) process.kill(kernelPid, "SIGKILL");
  });

  it("exit, removing their connection file, when the launcher is killed while a cell spins", async function () {
    const child = spawn(process.execPath, [launcher], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("\n")) resolve(out.split("\n")[0]);
      });
      child.once("exit", (code) => reject(new Error(`the launcher exited (code ${code}) before starting the kernel:\n${err}`)));
    });
    const { pid, connectionFile } = JSON.parse(line) as { pid: number; connectionFile: string };
    kernelPid = pid;
    expect(fs.existsSync(connectionFile)).to.equal(true);
    child.kill("SIGKILL");
    expect(await eventually(() => !alive(pid), 20000), "the kernel is still running after its launcher died").to.equal(true);
    expect(fs.existsSync(connectionFile), "the connection file (with the key) was left behind").to.equal(false);
    expect(fs.existsSync(path.dirname(connectionFile))).to.equal(false);
  });
});
