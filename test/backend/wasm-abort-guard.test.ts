import { expect } from "chai";
import { execFileSync } from "child_process";
import * as path from "path";

const dist = path.resolve(__dirname, "..", "..");

/**
 * Runs in a child process (the guard is one-way: it would refuse the rest of the suite):
 * starts the wasm backend, makes it abort in `how`, then tries more tensor work.
 */
function afterAbort(how: "abort" | "malloc"): { before: number; during?: string; add?: string; create?: string; result?: number } {
  const script = `
    const tf = require("@tensorflow/tfjs");
    const { initBackend } = require(${JSON.stringify(path.join(dist, "lib", "backend"))});
    const message = (f) => { try { return { value: f() }; } catch (e) { return { error: e.message }; } };
    (async () => {
      await initBackend("wasm");
      const before = tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0];
      const wasm = tf.findBackend("wasm").wasm;
      // "abort": what Emscripten's abort() calls before throwing RuntimeError: Aborted().
      // "malloc": a full heap, where malloc answers 0.
      const during = ${JSON.stringify(how)} === "abort" ? (wasm.onAbort("simulated"), undefined) : message(() => wasm._malloc(0xfffffff0)).error;
      const add = message(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
      const create = message(() => tf.tensor([1, 2, 3]));
      console.log(JSON.stringify({ before, during, add: add.error, result: add.value, create: create.error }));
    })();`;
  const out = execFileSync(process.execPath, ["-e", script], { cwd: path.resolve(dist, ".."), encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return JSON.parse(out.trim().split("\n").pop()!);
}

describe("backend: after a WebAssembly abort, no tensor operation runs", function () {
  this.timeout(60000);

  it("refuses every operation with an error that says to restart the kernel", () => {
    const r = afterAbort("abort");
    expect(r.before).to.equal(3);
    expect(r.result, "no number computed on a corrupt heap").to.equal(undefined);
    expect(r.add).to.contain("The WebAssembly backend aborted earlier (Aborted(simulated))").and.contain("restart the kernel");
    expect(r.create).to.contain("restart the kernel");
  });

  it("treats a full heap (malloc answering 0) the same way", () => {
    const r = afterAbort("malloc");
    expect(r.during).to.contain("out of memory: could not allocate 4294967280 bytes");
    expect(r.add).to.contain("restart the kernel");
    expect(r.create).to.contain("restart the kernel");
  });
});
