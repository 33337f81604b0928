import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { disposeEngineAfterSuite, engine, errorOf, resultText, run } from "./harness";

describe("engine: complete, inspect, is_complete", function () {
  disposeEngineAfterSuite();
  this.timeout(60000);
  before(async () => {
    await run("/** The answer to everything. */\nconst answerValue: number = 42;");
  });

  it("completes members with cursor positions in code points (astral characters before the cursor)", async () => {
    const code = 'const face = "😀😀";\nface.toUpp';
    const cursor = [...code].length;
    const r = await engine().complete(code, cursor);
    expect(r.matches).to.include("toUpperCase");
    expect(r.cursor_end).to.equal(cursor);
    expect(r.cursor_start).to.equal(cursor - "toUpp".length);
  });

  it("completes names from earlier cells", async () => {
    const r = await engine().complete("answerV", 7);
    expect(r.matches[0]).to.equal("answerValue");
    expect(r.cursor_start).to.equal(0);
  });

  it("completes magic names after %", async () => {
    const r = await engine().complete("let z = 1;\n%tim", 15);
    expect(r.matches).to.deep.equal(["%time", "%timeit"]);
    expect(r.cursor_start).to.equal(11);
    const cell = await engine().complete("%%wr", 4);
    expect(cell.matches).to.deep.equal(["%%writefile"]);
  });

  it("inspects a symbol: type and doc, with astral characters before it", async () => {
    const code = "'😀'; answerValue";
    const r = await engine().inspect(code, [...code].length - 2, 0);
    expect(r.found).to.equal(true);
    expect(String(r.data["text/plain"])).to.include("const answerValue: number");
    expect(String(r.data["text/plain"])).to.include("The answer to everything.");
    expect(String(r.data["text/markdown"])).to.include("```typescript");
    const none = await engine().inspect("   ", 1, 0);
    expect(none.found).to.equal(false);
  });

  it("inspects a magic line with its help", async () => {
    const r = await engine().inspect("%timeit x", 3, 0);
    expect(String(r.data["text/plain"])).to.include("%timeit [-n N]");
  });

  it("tells complete, incomplete (with indent) and invalid code apart", async () => {
    expect(await engine().isComplete("let a = 1")).to.deep.equal({ status: "complete" });
    expect(await engine().isComplete("function f() {")).to.deep.equal({ status: "incomplete", indent: "  " });
    expect((await engine().isComplete("let = = 3 )")).status).to.equal("invalid");
    expect((await engine().isComplete("%%time")).status).to.equal("incomplete");
    expect((await engine().isComplete("%time 1")).status).to.equal("complete");
  });
});

describe("engine: ES modules", function () {
  disposeEngineAfterSuite();
  this.timeout(60000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-esm-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("imports an ES module with top-level await (which require() cannot load)", async () => {
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
    fs.writeFileSync(path.join(dir, "tla.js"), "export const answer = await Promise.resolve(42);\nexport default 'dflt';\n");
    fs.writeFileSync(path.join(dir, "tla.d.ts"), "export declare const answer: number;\ndeclare const d: string;\nexport default d;\n");
    const file = JSON.stringify(path.join(dir, "tla.js"));
    expect(resultText(await run(`import dflt, { answer } from ${file};\n\`\${dflt} \${answer}\``))).to.equal("'dflt 42'");
  });

  it("reports a missing module as a compile error", async () => {
    const err = errorOf(await run("import { nope } from 'no-such-package-here';"));
    expect(err.ename).to.equal("CompileError");
    expect(err.evalue).to.include("no-such-package-here");
  });
});
