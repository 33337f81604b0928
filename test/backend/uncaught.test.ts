import { spawnSync } from "child_process";
import * as path from "path";
import { expect } from "chai";

describe("backend: errors nobody caught", () => {
  it("after initBackend, an unhandled rejection and an uncaught exception still reach the process's own handlers", function () {
    this.timeout(60000);
    // The wasm backend's Emscripten module adds listeners that rethrow both, which ended the
    // process (a kernel with all its state, or a whole test run) whatever else was listening.
    const backend = path.resolve(__dirname, "..", "..", "lib", "backend.js");
    const script = `
      const { initBackend } = require(${JSON.stringify(backend)});
      const seen = [];
      process.on("unhandledRejection", (e) => seen.push("rejection: " + e.message));
      process.on("uncaughtException", (e) => seen.push("exception: " + e.message));
      (async () => {
        const info = await initBackend("cpu");
        if (!info.available.includes("wasm")) throw new Error("the wasm backend did not start: " + JSON.stringify(info));
        Promise.reject(new Error("not awaited"));
        setTimeout(() => { throw new Error("from a timer"); }, 1);
        setTimeout(() => console.log(JSON.stringify(seen)), 50);
      })();`;
    const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", cwd: path.resolve(__dirname, "..", "..", "..") });
    expect(run.status, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout.trim().split("\n").pop()!)).to.deep.equal(["rejection: not awaited", "exception: from a timer"]);
  });
});
