import { expect } from "chai";
import ts from "@tslab/typescript-for-tslab";
import vm from "vm";
import { runMagic, type MagicServices } from "../../kernel/magics/context";
import { MagicRegistry } from "../../kernel/magics/registry";
import { autorange, timeitMagic } from "../../kernel/magics/builtin/timeit";
import { TimeitResult } from "../../kernel/magics/builtin/timeit-result";
import { RecordingHost, disposeEngineAfterSuite, errorOf, resultText, run } from "../engine/harness";

/** Runs %timeit with the magic's own value returned (compiled as plain transpiled TypeScript). */
async function timeitValue(line: string): Promise<{ value: unknown; host: RecordingHost }> {
  const registry = new MagicRegistry();
  registry.register(timeitMagic);
  const host = new RecordingHost();
  const services: MagicServices = {
    namespace: {},
    values: { lookup: () => ({ found: false }), evaluate: () => undefined },
    runCode: async () => undefined,
    compileCode: async (code) => {
      const script = new vm.Script(ts.transpile(code, { target: ts.ScriptTarget.ES2022 }));
      return { isAsync: false, run: () => script.runInThisContext() };
    },
    resetNamespace: () => undefined,
    display: () => ({ id: "", update: async () => undefined }),
  };
  const value = await runMagic(registry, { name: "timeit", args: line, invokedAs: "line", help: 0 }, host, new AbortController().signal, services);
  return { value, host };
}

describe("magics: %timeit", function () {
  this.timeout(60000);
  disposeEngineAfterSuite();

  it("prints IPython's report for -n and -r", async () => {
    const r = await run("%timeit -n 5 -r 3 Math.sqrt(2)");
    expect(r.host.out).to.match(/[\d.]+ (s|ms|µs|ns) ± [\d.]+ (s|ms|µs|ns) per loop \(mean ± std\. dev\. of 3 runs, 5 loops each\)\n/);
  });

  it("%%timeit setup variables stay inside the timing; setup runs once per run (warm-up included)", async () => {
    await run("(globalThis as any).__setups = 0;");
    const cell = await run("%%timeit -n 4 -r 2 const setupOnly = ++(globalThis as any).__setups;\nMath.sqrt(setupOnly);");
    expect(cell.host.out).to.include("2 runs, 4 loops each");
    expect((globalThis as Record<string, unknown>).__setups).to.equal(3);
    const err = errorOf(await run("setupOnly"));
    expect(err.ename).to.equal("CompileError");
    expect(err.evalue).to.include("setupOnly");
  });

  it("with -n, one warm-up run is made and dropped before the R timed runs", async () => {
    await run("(globalThis as any).__loopsRun = 0;");
    await run("%timeit -q -n 3 -r 2 (globalThis as any).__loopsRun++");
    expect((globalThis as Record<string, unknown>).__loopsRun).to.equal(9);
  });

  it("the statement keeps the cell's line numbers in errors", async () => {
    const err = errorOf(await run("%%timeit -n 1 -r 1 const a = 1;\nconst b = a;\nthrow new Error('on line 3');"));
    expect(err.traceback.join("\n")).to.match(/Cell In\[\d+\]:3:/);
  });

  it("statements that await are timed too", async () => {
    const r = await run("%timeit -n 2 -r 2 await Promise.resolve(1)");
    expect(r.host.out).to.include("2 runs, 2 loops each");
  });

  it("autorange tries 1, 2, 5, 10, 20, 50... loops until a run takes at least 0.2 s", async () => {
    const tried: number[] = [];
    const chosen = await autorange(async (loops) => {
      tried.push(loops);
      return loops * 0.03;
    });
    expect(chosen).to.equal(10);
    expect(tried).to.deep.equal([1, 2, 5, 10]);
    expect(await autorange(async (loops) => loops * 0.00015)).to.equal(2000);
    expect(await autorange(async () => 0.5)).to.equal(1);
  });

  it("-o returns a TimeitResult with IPython's fields", async () => {
    const { value, host } = await timeitValue("-q -o -n 3 -r 4 Math.sqrt(2)");
    expect(host.out).to.equal("");
    expect(value).to.be.instanceOf(TimeitResult);
    const result = value as TimeitResult;
    expect(result.loops).to.equal(3);
    expect(result.repeat).to.equal(4);
    expect(result.all_runs).to.have.length(4);
    expect(result.timings).to.deep.equal(result.all_runs.map((t) => t / 3));
    expect(result.best).to.equal(Math.min(...result.timings));
    expect(result.worst).to.equal(Math.max(...result.timings));
    expect(result.average).to.be.within(result.best, result.worst);
    expect(result.stdev).to.be.at.least(0);
    expect(String(result)).to.match(/per loop \(mean ± std\. dev\. of 4 runs, 3 loops each\)/);
  });

  it("without -n the loop count comes from autorange (1, 2, 5 times a power of ten)", async () => {
    const { value } = await timeitValue("-q -o -r 1 Math.sqrt(2)");
    expect(String((value as TimeitResult).loops)).to.match(/^[125]0*$/);
  });

  it("-o shows as IPython's <TimeitResult : ...>; bad -n and -r are UsageErrors", async () => {
    const r = await run("%timeit -q -o -n 2 -r 2 1 + 1");
    expect(r.host.out).to.equal("");
    expect(resultText(r)).to.match(/^<TimeitResult : .* per loop/);
    const err = errorOf(await run("%timeit -n zero 1"));
    expect(err.ename).to.equal("UsageError");
    expect(err.evalue).to.include("--number expects a number").and.include("Usage: %timeit");
    expect(errorOf(await run("%timeit -r 0 1")).evalue).to.include("-r must be a positive integer, got 0");
  });
});
