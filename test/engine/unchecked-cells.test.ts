/**
 * A kernel's first cells run before its type checker has loaded (unchecked-cells.ts): the
 * same results at once, the same type errors one cell later, and checked types after.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { TypeScriptEngine } from "../../kernel/engine";
import type { TypeCheckers } from "../../kernel/engine/checkers";
import { typeScript7Installed } from "../../kernel/engine/typescript-choice";
import { runBeforeCheckerFromEnvironment } from "../../kernel/engine/unchecked-cells";
import { RecordingHost, disposeSharedEngine, errorOf, resultText, type Run } from "./harness";

let count = 0;

/** Runs a cell; `interactive`: a person runs it (the request allows stdin), so it may run unchecked. */
async function execute(engine: TypeScriptEngine, code: string, interactive: boolean): Promise<Run> {
  const host = Object.assign(new RecordingHost(), { interactive });
  const executionCount = ++count;
  const outcome = await engine.execute(code, host, { silent: false, storeHistory: true, executionCount });
  return { outcome, host, count: executionCount };
}

describe("engine: the first cells run before the type checker has loaded", function () {
  this.timeout(120000);
  let engine: TypeScriptEngine | undefined;
  const exec = (code: string, interactive = true) => execute(engine as TypeScriptEngine, code, interactive);
  const checkers = () => (engine as unknown as { checkers: TypeCheckers }).checkers;
  /** Resolves once the engine's quick checker has loaded (the cells after it are checked first). */
  const checkerLoaded = () => checkers().first();

  before(async function () {
    // TypeScript 5's path; TypeScript 7's is further down.
    await disposeSharedEngine();
  });
  beforeEach(() => {
    count = 0;
    engine = new TypeScriptEngine({ handleSigint: false, typeScript: 5, fullCheckerIdleMs: -1 });
  });
  const freshEngine = async (options: ConstructorParameters<typeof TypeScriptEngine>[0]) => {
    await engine?.dispose();
    engine = new TypeScriptEngine({ handleSigint: false, typeScript: 5, fullCheckerIdleMs: -1, ...options });
  };
  afterEach(async () => {
    await engine?.dispose();
    engine = undefined;
  });

  it("runs a first cell at once, before any checker has loaded, with the same result", async () => {
    const first = await exec("const answer = 6 * 7;\nanswer");
    expect(resultText(first)).to.equal("42");
    expect(checkers().live, "no checker had loaded when it ran").to.equal(undefined);
    await checkerLoaded();
    expect(resultText(await exec("answer + 1"))).to.equal("43");
  });

  it("completes and inspects a name a first cell declared unchecked with its checked type", async () => {
    expect(resultText(await exec('const shout = "abc".toUpperCase();\nshout'))).to.equal("'ABC'");
    expect(checkers().live, "no checker had loaded when it ran").to.equal(undefined);
    expect((await (engine as TypeScriptEngine).complete("shout.toLow", 11)).matches).to.include("toLowerCase");
    expect(String((await (engine as TypeScriptEngine).inspect("shout", 5, 0)).data["text/plain"])).to.match(/const shout: string/);
  });

  it("reports a syntax error at once, as before", async () => {
    const failed = errorOf(await exec("const = 1;"));
    expect(failed.ename).to.equal("CompileError");
    expect(failed.evalue).to.match(/Variable declaration expected/);
    expect(checkers().live).to.equal(undefined);
  });

  it("reports a first cell's type errors in the next cell, with the checker's own message, then goes on", async () => {
    const ran = await exec('const wrong: number = "seven";\n"it ran"');
    expect(resultText(ran), "it ran before its types were checked").to.equal("'it ran'");
    await checkerLoaded();
    const next = errorOf(await exec("1 + 1"));
    expect(next.ename).to.equal("CompileError");
    expect(next.evalue).to.match(/^Cell In\[1\] ran before the type checker had loaded/);
    expect(next.evalue).to.match(/Type 'string' is not assignable to type 'number'/);
    const traceback = next.traceback.join("\n");
    expect(traceback).to.include("Cell In[1], 1:7 - error TS2322");
    expect(traceback).to.include('const wrong: number = "seven";');
    expect(traceback).to.match(/This cell did not run: fix Cell In\[1\], run it again, then this cell\./);
    // Reported once: the cell after runs, and the rejected cell's names are not declared.
    expect(resultText(await exec("1 + 1"))).to.equal("2");
    expect(errorOf(await exec("wrong")).evalue).to.match(/Cannot find name 'wrong'/);
  });

  it("later cells see the types the checker gives the first cells' names, not the unchecked ones", async () => {
    // Compiled without the standard library, `shout` would be declared `any`.
    expect(resultText(await exec('const shout = "abc".toUpperCase();\nshout'))).to.equal("'ABC'");
    await checkerLoaded();
    const failed = errorOf(await exec("const n: number = shout;"));
    expect(failed.evalue).to.match(/Type 'string' is not assignable to type 'number'/);
    expect(failed.evalue, "the error is this cell's own").to.match(/^1:7 - /);
    expect(resultText(await exec("shout.toLowerCase()"))).to.equal("'abc'");
  });

  it("runs a first cell that imports at once; the full checker checks it after", async () => {
    const first = await exec('import * as path from "path";\npath.basename("/a/b.txt")');
    expect(resultText(first)).to.equal("'b.txt'");
    expect(checkers().hasFull, "the full checker had not loaded when it ran").to.equal(false);
    await checkerLoaded();
    const failed = errorOf(await exec("path.extname(42)"));
    expect(failed.evalue).to.match(/Argument of type 'number' is not assignable to parameter of type 'string'/);
    expect(checkers().hasFull).to.equal(true);
  });

  it("checks the cells that ran while the kernel is idle, and ends the converter's thread", async () => {
    expect(resultText(await exec("const kept = [1, 2, 3];\nkept.length"))).to.equal("3");
    const unchecked = (engine as unknown as { unchecked: { live?: unknown; hasCells: boolean } }).unchecked;
    expect(unchecked.hasCells).to.equal(true);
    await checkerLoaded();
    for (let i = 0; i < 100 && unchecked.hasCells; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unchecked.hasCells, "checked without a new cell").to.equal(false);
    expect(unchecked.live, "its thread ended").to.equal(undefined);
    expect(errorOf(await exec("kept.push('four')")).evalue).to.match(/'string' is not assignable to parameter of type 'number'/);
  });

  it("after the checkers were released, a cell waits for the full checker and is checked before it runs", async () => {
    await freshEngine({ releaseCheckersAfterMs: 300 });
    expect(resultText(await exec("const early = 20;\nearly"))).to.equal("20");
    await checkerLoaded();
    for (let i = 0; i < 150 && checkers().live !== undefined; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(checkers().live, "released after 300 ms unused").to.equal(undefined);
    expect(resultText(await exec("early * 2 + 2"))).to.equal("42");
    expect(errorOf(await exec("const s: string = early;")).evalue).to.match(/^1:7 - Type 'number' is not assignable to type 'string'/);
  });

  it("in a headless run (no stdin: nbconvert, papermill, seqlab run) a first cell waits for the checker and its type error is its own", async () => {
    const failed = errorOf(await exec('const wrong: number = "seven";\n"it ran"', false));
    expect(failed.evalue).to.match(/^1:7 - Type 'string' is not assignable to type 'number'/);
    expect(resultText(await exec("1 + 1", false))).to.equal("2");
  });

  it("with runBeforeChecker false, a first cell waits for the checker and its type error is its own", async () => {
    await freshEngine({ runBeforeChecker: false });
    const failed = errorOf(await exec('const wrong: number = "seven";\n"it ran"'));
    expect(failed.evalue).to.match(/^1:7 - Type 'string' is not assignable to type 'number'/);
  });

  it("with SEQLAB_RUN_BEFORE_CHECKER=0 in the environment, a first cell waits for the checker; another value says what it takes", async () => {
    const saved = process.env.SEQLAB_RUN_BEFORE_CHECKER;
    const write = process.stderr.write;
    const said: string[] = [];
    try {
      process.env.SEQLAB_RUN_BEFORE_CHECKER = "0";
      await freshEngine({});
      const failed = errorOf(await exec('const wrong: number = "seven";\n"it ran"'));
      expect(failed.evalue).to.match(/^1:7 - Type 'string' is not assignable to type 'number'/);
      process.env.SEQLAB_RUN_BEFORE_CHECKER = "no";
      process.stderr.write = ((chunk: string) => said.push(String(chunk)) > 0) as typeof process.stderr.write;
      expect(runBeforeCheckerFromEnvironment()).to.equal(true);
    } finally {
      process.stderr.write = write;
      if (saved === undefined) delete process.env.SEQLAB_RUN_BEFORE_CHECKER;
      else process.env.SEQLAB_RUN_BEFORE_CHECKER = saved;
    }
    expect(said.join("")).to.include('SEQLAB_RUN_BEFORE_CHECKER must be 0 (every cell waits for the type checker) or 1, got "no"');
  });

  it("runs a first cell importing the notebook's own .ts modules, and checks it against their types after", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-unchecked-"));
    try {
      fs.writeFileSync(path.join(dir, "inner.ts"), "export const base: number = 40;\n");
      fs.writeFileSync(path.join(dir, "helper.ts"), 'import { base } from "./inner";\nexport function answer(): number {\n  return base + 2;\n}\n');
      await freshEngine({ rootDir: dir });
      expect(resultText(await exec('import { answer } from "./helper";\nconst text: string = answer();\ntext'))).to.equal("42");
      await checkerLoaded();
      const next = errorOf(await exec("answer()"));
      expect(next.evalue).to.match(/^Cell In\[1\] ran before .*Type 'number' is not assignable to type 'string'/);
      // As the error says: its names wait until it runs again, fixed.
      expect(errorOf(await exec("answer()")).evalue).to.match(/Cannot find name 'answer'/);
      expect(resultText(await exec('import { answer } from "./helper";\nconst text: string = String(answer());\ntext'))).to.equal("'42'");
      expect(resultText(await exec("answer() + text.length"))).to.equal("44");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("engine with TypeScript 7: the first cells run before its checker has loaded", function () {
  this.timeout(120000);
  let engine: TypeScriptEngine | undefined;
  const exec = (code: string, interactive = true) => execute(engine as TypeScriptEngine, code, interactive);
  const native = () => (engine as unknown as { native: { checker(): Promise<unknown> } }).native;

  before(async function () {
    if (!typeScript7Installed()) this.skip();
    await disposeSharedEngine();
  });
  beforeEach(() => {
    count = 0;
    engine = new TypeScriptEngine({ handleSigint: false, typeScript: 7 });
  });
  afterEach(async () => {
    await engine?.dispose();
    engine = undefined;
  });

  it("runs a first cell at once; TypeScript 7 reports its type errors in the next cell", async () => {
    const first = await exec('const wrong: number = "seven";\n"it ran"');
    expect(resultText(first), "it ran: TypeScript 7 had not checked it").to.equal("'it ran'");
    await native().checker();
    const next = errorOf(await exec("1 + 1"));
    expect(next.evalue).to.match(/^Cell In\[1\] ran before the type checker had loaded/);
    expect(next.traceback.join("\n")).to.include("Cell In[1], 1:7 - error TS2322");
    expect(resultText(await exec("1 + 1"))).to.equal("2");
    expect(errorOf(await exec("wrong")).evalue).to.match(/Cannot find name 'wrong'/);
  });

  it("completes and inspects a name a first cell declared before TypeScript 7 had loaded", async () => {
    expect(resultText(await exec('const shout = "abc".toUpperCase();\nshout'))).to.equal("'ABC'");
    expect((await (engine as TypeScriptEngine).complete("shout.toLow", 11)).matches).to.include("toLowerCase");
    expect(String((await (engine as TypeScriptEngine).inspect("shout", 5, 0)).data["text/plain"])).to.match(/const shout: string/);
  });

  it("keeps the types TypeScript 7 gives an accepted first cell's names", async () => {
    expect(resultText(await exec('const shout = "abc".toUpperCase();\nshout'))).to.equal("'ABC'");
    await native().checker();
    expect(errorOf(await exec("const n: number = shout;")).evalue).to.match(/^1:7 - Type 'string' is not assignable to type 'number'/);
    expect(resultText(await exec("shout.toLowerCase()"))).to.equal("'abc'");
  });

  it("opens TypeScript 7 once the first cell has ended, also when the kernel is never idle", async () => {
    await engine?.dispose();
    engine = new TypeScriptEngine({ handleSigint: false, typeScript: 7, preloadDelayMs: -1 }); // no opening when idle
    const live = () => (engine as unknown as { native: { liveChecker?: unknown } }).native.liveChecker;
    expect(resultText(await exec("const first = 1;\nfirst"))).to.equal("1");
    expect(live(), "the first cell ran before TypeScript 7 opened").to.equal(undefined);
    await (engine as unknown as { native: { started: Promise<void> } }).native.started;
    expect(live(), "opened after the first cell").to.not.equal(undefined);
    expect(errorOf(await exec("const wrong: string = first;")).evalue).to.match(/^1:7 - Type 'number' is not assignable to type 'string'/);
  });
});
