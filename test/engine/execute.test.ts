import { expect } from "chai";
import { currentAbortSignal, displayHost } from "../../lib/runtime";
import { disposeEngineAfterSuite, RecordingHost, engine, errorOf, resultText, run } from "./harness";
import { languageInfo } from "../../kernel/engine";

describe("engine: execute", function () {
  disposeEngineAfterSuite();
  this.timeout(60000);
  before(async () => {
    await run("0"); // loads TypeScript once
  });

  it("returns the last expression as text/plain, and nothing for undefined", async () => {
    expect(resultText(await run("const a1: number = 20;\na1 + 1"))).to.equal("21");
    const none = await run("let nothing = undefined;\nnothing");
    expect(none.outcome).to.deep.equal({ status: "ok" });
    expect(resultText(await run("'text'"))).to.equal("'text'");
  });

  it("keeps variables across cells, also after a failing cell", async () => {
    await run("let kept = 41;");
    errorOf(await run("kept = 1;\nthrow new Error('late');"));
    errorOf(await run("const broken: string = 5;"));
    expect(resultText(await run("kept + 1"))).to.equal("2");
    expect(Object.keys(engine().variables).filter((n) => n.startsWith("tsLastExpr"))).to.deep.equal([]);
  });

  it("resolves earlier cells' variables inside shorthand properties", async () => {
    await run("let short1 = 1;\nconst short2 = 'two';");
    expect(resultText(await run("const both = { short1, short2, three: 3 };\nboth"))).to.equal("{ short1: 1, short2: 'two', three: 3 }");
    await run("({ short1 } = { short1: 5 });");
    expect(resultText(await run("short1"))).to.equal("5");
  });

  it("reports runtime errors with the cell's TypeScript line numbers", async () => {
    const r = await run("type T = { a: number };\nconst t: T = { a: 1 };\nthrow new RangeError('boom ' + t.a);");
    const err = errorOf(r);
    expect(err.ename).to.equal("RangeError");
    expect(err.evalue).to.equal("boom 1");
    expect(err.traceback.join("\n")).to.match(/Cell In\[\d+\]:3:\d+/);
    expect(err.traceback.join("\n")).to.include("----> 3 throw new RangeError");
  });

  it("maps frames of functions declared in earlier cells", async () => {
    await run("function thrower(): never {\n  // comment\n  throw new Error('inner');\n}");
    const err = errorOf(await run("\n\nthrower();"));
    const text = err.traceback.join("\n");
    expect(text).to.match(/at thrower \(Cell In\[\d+\]:3:\d+\)/);
    expect(text).to.match(/Cell In\[\d+\]:3:1/);
  });

  it("writes cell positions into err.stack, also of an error the cell catches and prints", async () => {
    await run("function stackThrower(): never {\n  throw new Error('inner');\n}");
    const r = await run("try {\n  stackThrower();\n} catch (e) {\n  console.log((e as Error).stack);\n}");
    expect(r.host.out).to.match(/^Error: inner\n    at stackThrower \(Cell In\[\d+\]:2:9\)\n    at Cell In\[\d+\]:2:3\n$/);
    const made = await run("const madeEarly = new TypeError('made');\nawait null;\nmadeEarly.stack");
    expect(resultText(made)).to.match(/^'TypeError: made\\n    at Cell In\[\d+\]:1:19'$/);
  });

  it("reports type errors as CompileError with line:col in the cell", async () => {
    const err = errorOf(await run("let okLine = 1;\nlet bad: string = okLine;"));
    expect(err.ename).to.equal("CompileError");
    expect(err.evalue).to.match(/^2:5 - Type 'number' is not assignable to type 'string'/);
    expect(err.traceback[0]).to.match(/2:5 - error TS2322/);
  });

  it("reports errors thrown in a cell's callbacks to the cell instead of ending the process", async () => {
    const host = new RecordingHost();
    // (Unhandled rejections are reported the same way, but mocha claims those for itself.)
    await run("setTimeout(() => {\n  throw new Error('from a timer');\n}, 1);\nawait new Promise((r) => setTimeout(r, 30));", host);
    expect(host.err).to.match(/Uncaught Error: from a timer[\s\S]*Cell In\[\d+\]:2:/);
    expect(resultText(await run("1 + 1"))).to.equal("2");
  });

  it("runs top-level await", async () => {
    expect(resultText(await run("const later = await new Promise<number>((r) => setTimeout(() => r(7), 5));\nlater * 2"))).to.equal("14");
  });

  it("sends console and process output of the cell, also from its async callbacks", async () => {
    const r = await run(
      "console.log('one', 1);\nconsole.error('two');\nprocess.stdout.write('three\\n');\nawait new Promise<void>((r) => setTimeout(() => { console.log('four'); r(); }, 5));",
    );
    expect(r.host.out).to.equal("one 1\nthree\nfour\n");
    expect(r.host.err).to.equal("two\n");
  });

  it("shows Displayable values with their bundle (async too) and keeps text/plain", async () => {
    const r = await run(
      "const shown = { [Symbol.for('Jupyter.display')]: async () => ({ 'text/html': '<b>x</b>' }) };\nshown",
    );
    if (r.outcome.status !== "ok" || !r.outcome.result) throw new Error("no result");
    expect(r.outcome.result.data["text/html"]).to.equal("<b>x</b>");
    expect(r.outcome.result.data["text/plain"]).to.be.a("string");
  });

  it("display() shows values and update() replaces them under the same display id", async () => {
    const r = await run("const handle = display({ n: 1 });\nawait handle.update(display.html('<i>2</i>'));\nclearOutput(true);\nhandle.id");
    const [first, second] = r.host.displays;
    expect(first.data["text/plain"]).to.equal("{ n: 1 }");
    expect(first.update).to.equal(false);
    expect(second.data["text/html"]).to.equal("<i>2</i>");
    expect(second.update).to.equal(true);
    expect(second.displayId).to.equal(first.displayId);
    expect(resultText(r)).to.equal(`'${first.displayId}'`);
    expect(r.host.clears).to.deep.equal([true]);
  });

  it("installs lib's DisplayHost and a fresh AbortSignal per execution", async () => {
    const host = new RecordingHost();
    const signals: unknown[] = [];
    (globalThis as Record<string, unknown>).__probe = () => {
      signals.push(currentAbortSignal());
      displayHost()?.display({ live: true }).update({ live: false });
    };
    await run("(globalThis as any).__probe();\nawait new Promise((r) => setTimeout(r, 5));", host);
    await run("(globalThis as any).__probe();");
    delete (globalThis as Record<string, unknown>).__probe;
    expect(host.displays.map((d) => [d.data["text/plain"], d.update])).to.deep.equal([
      ["{ live: true }", false],
      ["{ live: false }", true],
    ]);
    expect(signals[0]).to.be.instanceOf(AbortSignal);
    expect(signals[0]).to.not.equal(signals[1]);
  });

  it("input() asks through the host, and says clearly when stdin is not allowed", async () => {
    const host = new RecordingHost(["Ada"]);
    expect(resultText(await run("const who = await input('name? ');\n`hi ${who}`", host))).to.equal("'hi Ada'");
    expect(host.prompts).to.deep.equal(["name? "]);
    const err = errorOf(await run("await prompt('x')", new RecordingHost("no-stdin")));
    expect(err.evalue).to.include("does not support input");
  });

  it("imports seqlab by its package name (self-reference) and ESM-only packages", async () => {
    expect(resultText(await run("import * as sl from 'seqlab';\nsl.DISPLAY === Symbol.for('Jupyter.display')"))).to.equal("true");
    expect(resultText(await run("import { expect as chaiExpect } from 'chai';\nchaiExpect(2).to.equal(2);\n'chai ok'"))).to.equal("'chai ok'");
  });

  it("has language info for kernel_info", () => {
    expect(languageInfo.name).to.equal("typescript");
    expect(languageInfo.file_extension).to.equal(".ts");
    expect(languageInfo.mimetype).to.equal("text/typescript");
    expect(languageInfo.version).to.match(/^\d+\.\d+/);
    expect(engine()).to.be.ok;
  });
});
