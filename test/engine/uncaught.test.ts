import { expect } from "chai";
import { disposeEngineAfterSuite, resultText, run } from "./harness";

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("engine: errors nobody caught", function () {
  this.timeout(60000);
  disposeEngineAfterSuite();

  it("prints a rejection the cell never handles in that cell, with cell line numbers", async () => {
    const r = await run("const ignored = 1;\nPromise.reject(new Error('never handled'));\n'went on'");
    expect(resultText(r)).to.equal("'went on'");
    expect(r.host.err).to.match(/^Unhandled promise rejection: Error: never handled\nCell In\[\d+\], line 2:\n----> 2 Promise\.reject/);
  });

  it("owns the process-wide handlers: a library's rethrowing listener is never called", async () => {
    // What tfjs-backend-wasm's start-up code registers; it would end the kernel.
    const rethrow = (reason: unknown) => {
      throw reason;
    };
    process.on("unhandledRejection", rethrow);
    process.on("uncaughtException", rethrow);
    try {
      const r = await run("(async () => {\n  throw new Error('x');\n})();\nprocess.nextTick(() => {\n  throw new Error('y');\n});\nawait new Promise((r) => setImmediate(r));\n'alive'");
      expect(resultText(r)).to.equal("'alive'");
      expect(r.host.err).to.match(/Unhandled promise rejection: Error: x\n[\s\S]*Cell In\[\d+\]:2:9/);
      expect(r.host.err).to.match(/Uncaught Error: y\n[\s\S]*Cell In\[\d+\]:5:9/);
    } finally {
      process.off("unhandledRejection", rethrow);
      process.off("uncaughtException", rethrow);
    }
  });

  it("prints errors that come after their cell ended on the next cell's stderr", async () => {
    await run(
      "const failLater = new Promise<void>((_, reject) => {\n  (globalThis as any).__rejectLater = () => reject(new Error('late rejection'));\n});\n" +
        "(globalThis as any).__throwLater = () => setImmediate(() => {\n  throw new Error('late throw');\n});",
    );
    const g = globalThis as unknown as Record<string, () => void>;
    g.__rejectLater();
    g.__throwLater();
    await turn();
    await turn();
    const next = await run("'next'");
    expect(resultText(next)).to.equal("'next'");
    expect(next.host.err).to.match(/Unhandled promise rejection: Error: late rejection\n[\s\S]*Cell In\[\d+\]:2:/);
    expect(next.host.err).to.match(/Uncaught Error: late throw\n[\s\S]*Cell In\[\d+\]:5:/);
    // Said once: the cell after that has nothing left to print.
    expect((await run("'quiet'")).host.err).to.equal("");
  });
});
