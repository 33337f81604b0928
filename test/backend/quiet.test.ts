import { spawnSync } from "child_process";
import * as path from "path";
import { expect } from "chai";

describe("backend: output", () => {
  it("starting the backends prints nothing (no tfjs-node advice in a notebook's first cell)", function () {
    this.timeout(60000);
    const backend = path.resolve(__dirname, "..", "..", "lib", "backend.js");
    const script = `
      const tf = require("@tensorflow/tfjs");
      const { initBackend, useBackend } = require(${JSON.stringify(backend)});
      (async () => {
        await initBackend();
        tf.tensor([1, 2]).dataSync();
        await useBackend("cpu");
        tf.tensor([3]).dataSync();
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", cwd: path.resolve(__dirname, "..", "..", "..") });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout + run.stderr).to.equal("");
  });
});
