/**
 * Protocol 5.5, usage_request, comms with buffers, replay protection and the iopub rate limit,
 * checked with Debian's jupyter_client (Python) driving the JS test-engine kernel, and a
 * kernel started by jupyter_client exiting once that client is killed.
 */
import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { alive, repoRoot, sleep } from "../kernel/helpers";
import { makeJupyterHome, pythonWith, runCommand } from "./python";

const testDir = path.join(repoRoot, "test", "jupyter");

/** A Python that starts the JS test-engine kernel with jupyter_client, sets a cell spinning, prints the kernel's pid, then waits. */
const SPIN_AND_WAIT = `
import sys, time
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="seqlab-js-test", startup_timeout=60)
kc.execute("while (true) {}")
time.sleep(0.5)
print(km.provisioner.process.pid, flush=True)
time.sleep(600)
`;

describe("jupyter_client (Python) against the protocol server", function () {
  this.timeout(240000);
  let python: string | null;
  let home: ReturnType<typeof makeJupyterHome>;

  before(function () {
    python = pythonWith(["jupyter_client"]);
    if (!python) {
      console.log("    (skipped: no python3 with jupyter_client; apt-get install python3-jupyter-client)");
      this.skip();
    }
    home = makeJupyterHome();
  });

  after(() => home && fs.rmSync(home.dir, { recursive: true, force: true }));

  it("passes the interop cases (5.5, usage, comms with buffers, replays, output floods)", async function () {
    const { code, output } = await runCommand(python!, ["-m", "unittest", "-v", "protocol_interop"], { env: home.env, cwd: testDir, timeoutMs: 200000 });
    expect(code, output).to.equal(0);
    expect(output).to.match(/Ran 6 tests/);
  });

  it("a kernel started by jupyter_client exits when that client is killed, even while a cell spins", async function () {
    const child = spawn(python!, ["-c", SPIN_AND_WAIT], { env: home.env, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const pid = await new Promise<number>((resolve, reject) => {
      child.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once("exit", (code) => reject(new Error(`python exited (code ${code}) before the kernel started:\n${err}`)));
    });
    expect(alive(pid)).to.equal(true);
    child.kill("SIGKILL");
    let gone = false;
    for (let i = 0; i < 200 && !gone; i++, await sleep(100)) gone = !alive(pid);
    if (!gone) process.kill(pid, "SIGKILL");
    expect(gone, "the kernel outlived the client that started it").to.equal(true);
  });
});
