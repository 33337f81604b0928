/**
 * The backend seqlab picks by itself (ready), what backendInfo reports, and the one-line
 * warning each fallback prints once. Each case runs in a fresh Node process: the choice is
 * process-wide state.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const libIndex = path.join(repoRoot, "dist", "lib", "index.js");

function runScript(body: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const script = `
    const sl = require(${JSON.stringify(libIndex)});
    (async () => { ${body} })().catch((e) => { console.error("FAILED", e); process.exit(1); });`;
  const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", cwd: repoRoot, env: { ...process.env, SEQLAB_BACKEND: "", ...env } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("backend: chosen without asking", function () {
  this.timeout(60000);

  it("names no backend before the choice and makes tfjs pick none; ready() picks wasm with the kernels, silently", () => {
    const run = runScript(`
      const before = sl.backendInfo();
      console.log(JSON.stringify({ before: before.name, active: sl.tf.engine().backendInstance != null }));
      const info = await sl.ready();
      const again = await sl.ready();
      console.log(JSON.stringify({ name: info.name, reason: info.reason, kernels: info.kernels, fallbacks: info.fallbacks, same: again.name === info.name, tf: sl.tf.getBackend() }));`);
    expect(run.status, run.stderr).to.equal(0);
    const [first, second] = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(first).to.deep.equal({ before: "none yet", active: false });
    expect(second.name).to.equal("wasm");
    expect(second.tf).to.equal("wasm");
    expect(second.reason).to.contain("WebAssembly with SIMD");
    expect(second.kernels.available).to.equal(true);
    expect(second.kernels.threads).to.be.at.least(1);
    expect(second.fallbacks).to.deep.equal([]);
    expect(second.same).to.equal(true);
    expect(run.stderr).to.equal("");
  });

  it("keeps a backend someone else started before the choice, and says so once", () => {
    const run = runScript(`
      sl.tf.tensor([1]).dataSync(); // tfjs picks cpu by itself: a tensor before ready()
      const info = await sl.ready();
      await sl.ready();
      console.log(JSON.stringify(info));`);
    expect(run.status, run.stderr).to.equal(0);
    const info = JSON.parse(run.stdout.trim());
    expect(info.name).to.equal("cpu");
    expect(info.reason).to.contain("set outside seqlab");
    const warnings = run.stderr.split("\n").filter((l) => l.startsWith("seqlab:"));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain('already running on "cpu" before seqlab chose a backend');
    expect(info.fallbacks).to.have.length(1);
  });

  it("an installed tfjs-node that fails to load is a fallback: one warning, named in backendInfo", () => {
    const fake = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-fake-tfjs-node-"));
    const pkg = path.join(fake, "@tensorflow", "tfjs-node");
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "@tensorflow/tfjs-node", main: "index.js" }));
    fs.writeFileSync(path.join(pkg, "index.js"), `throw new Error("libtensorflow.so.2: cannot open shared object file");`);
    try {
      const run = runScript(`const info = await sl.ready(); await sl.initBackend(); console.log(JSON.stringify(info));`, { NODE_PATH: fake });
      expect(run.status, run.stderr).to.equal(0);
      const info = JSON.parse(run.stdout.trim());
      expect(info.name).to.equal("wasm");
      expect(info.fallbacks).to.have.length(1);
      expect(info.fallbacks[0]).to.contain("tfjs-node failed to load: libtensorflow.so.2");
      const warnings = run.stderr.split("\n").filter((l) => l.startsWith("seqlab:"));
      expect(warnings).to.deep.equal([`seqlab: ${info.fallbacks[0]}`]);
    } finally {
      fs.rmSync(fake, { recursive: true, force: true });
    }
  });

  it("the cpu backend by request is not a fallback; the cpu backend for want of wasm is, and says why", () => {
    const asked = runScript(`const info = await sl.initBackend("cpu"); console.log(JSON.stringify(info));`);
    expect(asked.status, asked.stderr).to.equal(0);
    expect(JSON.parse(asked.stdout.trim()).fallbacks).to.deep.equal([]);
    // Hide the wasm backend's package: the next best is cpu, a fallback worth a warning.
    const hide = `const Module = require("module"); const orig = Module._resolveFilename;
      Module._resolveFilename = function (r, ...rest) { if (r === "@tensorflow/tfjs-backend-wasm") throw Object.assign(new Error("Cannot find module '@tensorflow/tfjs-backend-wasm'"), { code: "MODULE_NOT_FOUND" }); return orig.call(this, r, ...rest); };`;
    const forced = runScript(`${hide} const info = await sl.ready(); console.log(JSON.stringify(info));`);
    expect(forced.status, forced.stderr).to.equal(0);
    const info = JSON.parse(forced.stdout.trim());
    expect(info.name).to.equal("cpu");
    expect(info.fallbacks.join("\n")).to.contain("pure-JS cpu backend").and.contain("tfjs-backend-wasm failed to load");
    expect(forced.stderr).to.contain("seqlab: running on the pure-JS cpu backend");
  });
});
