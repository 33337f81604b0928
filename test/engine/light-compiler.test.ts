/**
 * The light compiler (light-compiler.ts): cells compiled without TypeScript on the default
 * path. Its own answers first, then cells run through the engine, which hold on every path
 * (`npm run test:typescript5` runs them with TypeScript 5's converter).
 */
import fs from "fs";
import path from "path";
import { expect } from "chai";
import { LightCompiler } from "../../kernel/engine/light-compiler";
import { typeScriptModuleToCommonJS } from "../../kernel/engine/strip-types";
import { chosenTypeScript } from "../../kernel/engine/typescript-choice";
import { disposeEngineAfterSuite, errorOf, resultText, run } from "./harness";

describe("light compiler", () => {
  const compiler = new LightCompiler();

  it("keeps top-level names on the notebook's namespace and reads earlier cells' names from it, unless shadowed", () => {
    const first = compiler.convert("", "const a: number = 1, { b, c: [d] } = { b: 2, c: [3] };\nlet e;\nfunction f(n: number) { return n + a; }\nclass K {}\nf(1)");
    expect(first.diagnostics).to.deep.equal([]);
    const output = first.output as string;
    expect(output).to.contain("exports.a = 1").and.contain("{ b: exports.b, c: [exports.d] }").and.contain("exports.e = void 0");
    expect(output).to.contain("exports.f = f;").and.contain("return n + exports.a;").and.contain("exports.K = K;");
    expect(first.lastExpressionVar).to.equal("tsLastExpr");
    expect(output).to.contain("exports.tsLastExpr = (f(1))");
    const second = compiler.convert(first.declOutput as string, "function g(a: string) { return a; }\nconst h = { a, b };\na + g('x')");
    expect(second.output).to.contain("function g(a) { return a; }").and.contain("{ a: exports.a, b: exports.b }").and.contain("exports.a + g('x')");
  });

  it("turns every declaration of a variable declared twice into assignments", () => {
    const twice = compiler.convert("", "var a = 1;\nvar a = a + 1, b;\na");
    expect(twice.output).to.equal("exports.a = 1;\nexports.a = exports.a + 1, exports.b = void 0;\nexports.tsLastExpr = (exports.a)");
  });

  it("keeps every line where it was, so runtime positions map back to the cell", () => {
    const cell = 'import * as tf from "@tensorflow/tfjs";\ninterface P {\n  x: number;\n}\nconst p: P = { x: 1 };\n\nthrow new Error("line 7");';
    const output = compiler.convert("", cell).output as string;
    expect(output.split("\n")).to.have.length(7);
    expect(output.split("\n")[6]).to.contain('throw new Error("line 7")');
  });

  it("names the last expression's slot so that it never takes a name the cell or an earlier one uses", () => {
    const taken = compiler.convert("", "const tsLastExpr = 1;\ntsLastExpr");
    expect(taken.lastExpressionVar).to.equal("tsLastExpr0");
    expect(compiler.convert("", "let x = 1;").lastExpressionVar).to.equal(undefined);
  });

  it("tells cells that await outside functions from those that only await inside them, and marks every await as an interrupt point", () => {
    const top = compiler.convert("", "const v = await Promise.resolve(1);");
    expect(top.hasToplevelAwait).to.equal(true);
    expect(top.output).to.contain("__seqlab_runtime__.resumed(await Promise.resolve(1))");
    const inside = compiler.convert("", "async function later() { for await (const x of [1]) x; return await 2; }");
    expect(inside.hasToplevelAwait).to.equal(false);
    expect(inside.output).to.contain("{ __seqlab_runtime__.resumed(); x; }").and.contain("return __seqlab_runtime__.resumed(await 2)");
    const nested = compiler.convert("", "for await (const x of [1]) await x;\nawait await 3");
    expect(nested.output).to.equal("for await (const x of [1]) { __seqlab_runtime__.resumed(); __seqlab_runtime__.resumed(await x); }\nexports.tsLastExpr = (__seqlab_runtime__.resumed(await __seqlab_runtime__.resumed(await 3)))");
  });

  it("reports a syntax error at its place in the cell, and refuses what it would otherwise drop or cannot express", () => {
    const broken = compiler.convert("", "const ok = 1;\nlet a = (1;");
    expect(broken.output).to.equal(undefined);
    expect(broken.diagnostics[0].start).to.include({ line: 1, character: 10 });
    const namespace = compiler.convert("", "namespace Util {\n  export const two = 2;\n}");
    expect(namespace.diagnostics[0].messageText).to.match(/namespace that declares values is not supported.*Use an object/);
    expect(compiler.convert("", "declare namespace Ambient { const x: number }\nnamespace Types { export type T = number }").diagnostics).to.deep.equal([]);
    expect(compiler.convert("", "const a = 1;\nexport { a };").diagnostics[0].messageText).to.match(/cannot export.*Remove the `export`/);
    expect(() => typeScriptModuleToCommonJS("export namespace Util {\n  export function f() {}\n}", "/notebooks/util.ts")).to.throw(/^\/notebooks\/util.ts: A namespace that declares values/);
  });

  it("says whether code is complete, and transpiles expressions for magic arguments", () => {
    expect(compiler.isCompleteCode("function f() {")).to.deep.equal({ completed: false, indent: "  " });
    expect(compiler.isCompleteCode("function f() {\n  return 1;\n}")).to.deep.equal({ completed: true });
    expect(compiler.isCompleteCode("let a = (1;\n")).to.deep.equal({ completed: true });
    expect(compiler.hasSyntaxErrors("let a = (1;")).to.equal(true);
    expect(compiler.hasSyntaxErrors("let a: number = 1;")).to.equal(false);
    expect(compiler.transpileExpression("x as number")).to.equal("(x )");
  });
});

describe("cells compiled by the engine's converter", function () {
  this.timeout(120_000);
  disposeEngineAfterSuite();

  it("carries destructured names, loop variables, enums, classes and hoisted functions across cells", async () => {
    expect(resultText(await run("const { left, right: [inner] } = { left: 1, right: [2] };\nenum Shade { Light = 1, Dark }\nclass Box { constructor(public size: number) {} }\nconst early = hoisted();\nfunction hoisted() { return left + inner; }\nearly"))).to.equal("3");
    expect(resultText(await run("[left, inner, Shade.Dark, Shade[1], new Box(5).size, hoisted()]"))).to.equal("[ 1, 2, 2, 'Light', 5, 3 ]");
    expect(resultText(await run("const tsLastExpr = 'mine';\ntsLastExpr"))).to.equal("'mine'");
  });

  it("imports CommonJS packages as TypeScript's esModuleInterop does", async () => {
    const cell = 'import quoteModule from "shell-quote";\nimport * as all from "shell-quote";\nimport { quote } from "shell-quote";\n[typeof quoteModule.quote, typeof all.quote, (all as { default?: unknown }).default === quoteModule, quote(["a b"])]';
    expect(resultText(await run(cell))).to.equal(`[ 'function', 'function', true, "'a b'" ]`);
  });

  it("loads a notebook's own .ts module, and a changed one afresh on its next import", async () => {
    const dir = fs.mkdtempSync(path.join(process.cwd(), ".seqlab-local-module-")) // under the root directory, as TypeScript 5 requires;
    try {
      const file = path.join(dir, "answer.ts");
      fs.writeFileSync(file, "export const answer: number = 41;\n");
      expect(resultText(await run(`import { answer } from ${JSON.stringify(path.join(dir, "answer"))};\nanswer`))).to.equal("41");
      fs.writeFileSync(file, "export const answer: number = 42;\n");
      fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
      expect(resultText(await run(`import { answer as again } from ${JSON.stringify(path.join(dir, "answer"))};\nagain`))).to.equal("42");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a namespace with values in one clear message on the default path (TypeScript 5's converter runs it)", async function () {
    const r = await run("namespace Geometry {\n  export const unit = 1;\n}\nGeometry.unit");
    if (chosenTypeScript() === 5) {
      expect(resultText(r)).to.equal("1");
      return;
    }
    const error = errorOf(r);
    expect(error.ename).to.equal("CompileError");
    expect(error.evalue).to.match(/^1:1 - A namespace that declares values is not supported here/);
    expect(resultText(await run("1 + 1")), "the kernel goes on").to.equal("2");
  });
});
