import { expect } from "chai";
import { spawn } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { disposeEngineAfterSuite, engine, errorOf, resultText, run } from "./harness";
import { magicRegistry, registerMagic } from "../../kernel/magics/registry";

/** Sends SIGINT to this process from another process once `marker` exists. */
function sigintWhenFileAppears(marker: string): void {
  const script = `while [ ! -e '${marker}' ]; do sleep 0.05; done; sleep 0.1; kill -INT ${process.pid}`;
  spawn("sh", ["-c", script], { stdio: "ignore" }).unref();
}

/** Calls Engine.interrupt() once the running cell has set globalThis.__started. */
/** The notebook counter `name` moved before the interrupt and stays still after it. */
async function expectStoppedCounting(name: string): Promise<void> {
  const first = Number(resultText(await run(name)));
  expect(first).to.be.greaterThan(0);
  await new Promise((r) => setTimeout(r, 60));
  expect(Number(resultText(await run(name)))).to.equal(first);
}

function interruptOnceStarted(): void {
  const g = globalThis as Record<string, unknown>;
  g.__started = false;
  const poll = setInterval(() => {
    if (!g.__started) return;
    clearInterval(poll);
    setTimeout(() => engine().interrupt(), 50);
  }, 10);
}

describe("engine: interrupt", function () {
  disposeEngineAfterSuite();
  this.timeout(60000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-interrupt-"));
  before(async () => {
    await run("let survivor = 'still here';");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("SIGINT stops a synchronous infinite loop with KeyboardInterrupt, keeping variables", async () => {
    const marker = path.join(dir, "sync");
    sigintWhenFileAppears(marker);
    const err = errorOf(await run(`import * as fs from "fs";\nfs.writeFileSync(${JSON.stringify(marker)}, "");\nwhile (true) {}`));
    expect(err.ename).to.equal("KeyboardInterrupt");
    expect(resultText(await run("survivor"))).to.equal("'still here'");
  });

  it("SIGINT stops an awaited async loop, and the abandoned loop really stops", async () => {
    const marker = path.join(dir, "async");
    sigintWhenFileAppears(marker);
    const err = errorOf(
      await run(`import * as fs from "fs";\nlet ticks = 0;\nfs.writeFileSync(${JSON.stringify(marker)}, "");\nfor (;;) {\n  await new Promise((r) => setTimeout(r, 10));\n  ticks++;\n}`),
    );
    expect(err.ename).to.equal("KeyboardInterrupt");
    const before = Number(resultText(await run("ticks")));
    await new Promise((r) => setTimeout(r, 100));
    expect(Number(resultText(await run("ticks")))).to.equal(before);
  });

  it("Engine.interrupt() stops an async function loop from an earlier cell and aborts the signal", async () => {
    await run(
      "let steps = 0;\nlet sawAbort = false;\nasync function train() {\n  const signal = (globalThis as any)[Symbol.for('seqlab.abortSignal')] as AbortSignal;\n  signal.addEventListener('abort', () => { sawAbort = true; });\n  while (true) {\n    await new Promise((r) => setTimeout(r, 5));\n    steps++;\n  }\n}",
    );
    interruptOnceStarted();
    const err = errorOf(await run("(globalThis as any).__started = true;\nawait train();"));
    expect(err.ename).to.equal("KeyboardInterrupt");
    await expectStoppedCounting("steps");
    expect(resultText(await run("sawAbort"))).to.equal("true");
    expect(resultText(await run("survivor"))).to.equal("'still here'");
  });

  it("an interrupt also stops setInterval timers the interrupted cell started", async () => {
    interruptOnceStarted();
    const err = errorOf(await run("let beats = 0;\nsetInterval(() => { beats++; }, 5);\n(globalThis as any).__started = true;\nawait new Promise(() => {});"));
    expect(err.ename).to.equal("KeyboardInterrupt");
    await expectStoppedCounting("beats");
  });

  it("an interrupt that lands while a magic runs synchronous code still ends the cell interrupted", async () => {
    // The signal is only recorded while sync code outside vm's breakOnSigint runs; the cell
    // must not report "ok" when that code returns.
    registerMagic({ name: "sigint_self", kind: "line", usage: "%sigint_self", help: "Interrupts itself.", run: () => void process.kill(process.pid, "SIGINT") });
    try {
      expect(errorOf(await run("%sigint_self")).ename).to.equal("KeyboardInterrupt");
    } finally {
      magicRegistry.unregister("sigint_self");
    }
    expect(resultText(await run("survivor"))).to.equal("'still here'");
  });

  it("the next cell after an interrupt runs normally", async () => {
    expect(resultText(await run("await Promise.resolve(3)"))).to.equal("3");
  });
});
