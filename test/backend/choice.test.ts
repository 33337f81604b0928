/**
 * The backend seqlab picks by itself (ready), what backendInfo reports, and the one-line
 * warning each fallback prints once. Each case runs in a fresh Node process: the choice is
 * process-wide state.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { runScript } from "./script";
import { tfjsNodeFailure } from "../../lib/tfjs-node-failure";

describe("backend: chosen without asking", function () {
  this.timeout(60000);

  it("names no backend before the choice and makes tfjs pick none; ready() picks wasm with the kernels, silently", () => {
    const run = runScript(`
      const before = sl.backendInfo();
      console.log(JSON.stringify({ before: before.name, active: sl.tf.engine().backendInstance != null }));
      const info = await sl.ready();
      const again = await sl.ready();
      console.log(JSON.stringify({ name: info.name, reason: info.reason, simd: info.simd, fallbacks: info.fallbacks, same: again.name === info.name, tf: sl.tf.getBackend() }));`);
    expect(run.status, run.stderr).to.equal(0);
    const [first, second] = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(first).to.deep.equal({ before: "none yet", active: false });
    expect(second.name).to.equal("wasm");
    expect(second.tf).to.equal("wasm");
    expect(second.reason).to.contain("WebAssembly with SIMD");
    expect(second.simd.available).to.equal(true);
    expect(second.simd.threads).to.be.at.least(1);
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

  it("says how to mend a tfjs-node installed without its install script, and nothing for one not installed", () => {
    const notInstalled = Object.assign(new Error("Cannot find module '@tensorflow/tfjs-node'\nRequire stack: ..."), { code: "MODULE_NOT_FOUND" });
    expect(tfjsNodeFailure(notInstalled)).to.deep.equal({ missing: true, note: "tfjs-node not installed (optional dependency; needs libtensorflow)" });
    const noBinding = new Error("The Node.js native addon module (tfjs_binding.node) can not be found at path: /p/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node. \nPlease run command 'npm rebuild @tensorflow/tfjs-node build-addon-from-source' to rebuild the native addon module.");
    const mend = tfjsNodeFailure(noBinding);
    expect(mend.missing).to.equal(false);
    expect(mend.note).to.match(/^tfjs-node failed to load: The Node\.js native addon module \(tfjs_binding\.node\) can not be found at path: \S+\. \(its install script, which downloads libtensorflow, did not run/);
    expect(mend.note).to.contain("`npm install-scripts approve @tensorflow/tfjs-node`").and.to.contain("`npm rebuild @tensorflow/tfjs-node`");
    const other = tfjsNodeFailure(new Error("Unexpected token"));
    expect(other).to.deep.equal({ missing: false, note: "tfjs-node failed to load: Unexpected token" });
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
