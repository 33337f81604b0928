/**
 * What cells see of the program TypeScript builds for them (light-program.ts): local .ts
 * modules a cell imports are compiled with it, declarations
 * carry across cells, and errors involving an imported package's types read as before.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { TypeScriptEngine } from "../../kernel/engine";
import { RecordingHost, errorOf, resultText, type Run } from "./harness";

describe("engine: the program cells are checked in", function () {
  this.timeout(120000);
  let dir: string;
  let engine: TypeScriptEngine;
  let count = 0;
  const run = async (code: string): Promise<Run> => {
    const host = new RecordingHost();
    const outcome = await engine.execute(code, host, { silent: false, storeHistory: true, executionCount: ++count });
    return { outcome, host, count };
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-cell-program-"));
    fs.writeFileSync(path.join(dir, "inner.ts"), "export const base: number = 40;\n");
    fs.writeFileSync(path.join(dir, "helper.ts"), 'import { base } from "./inner";\nexport function answer(): number {\n  return base + 2;\n}\n');
    // Checked before they run from the first cell on (unchecked-cells.test.ts runs local modules unchecked first).
    engine = new TypeScriptEngine({ rootDir: dir, preloadDelayMs: 0, handleSigint: false, fullCheckerIdleMs: -1, runBeforeChecker: false });
  });
  after(async () => {
    await engine.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("compiles the local .ts modules a cell imports, through their own imports", async () => {
    expect(resultText(await run('import { answer } from "./helper";\nanswer()'))).to.equal("42");
  });

  it("type-checks a cell against a local module's types", async () => {
    const failed = errorOf(await run('const text: string = answer();'));
    expect(failed.ename).to.equal("CompileError");
    expect(failed.evalue).to.match(/Type 'number' is not assignable to type 'string'/);
  });

  it("reports an error involving seqlab's types in a later cell, as before", async () => {
    expect(resultText(await run('import * as sl from "seqlab";\ntypeof sl.backendInfo'))).to.equal("'function'");
    const failed = errorOf(await run("const name: number = sl.backendInfo().name;"));
    expect(failed.ename).to.equal("CompileError");
    expect(failed.evalue).to.match(/Type 'string' is not assignable to type 'number'/);
    expect(resultText(await run("sl.backendInfo().name.length > 0"))).to.equal("true");
  });

  it("completes and inspects seqlab's names", async () => {
    const completion = await engine.complete("sl.backendI", 11);
    expect(completion.matches).to.include("backendInfo");
    const info = await engine.inspect("sl.backendInfo", 6, 0);
    expect(info.found).to.equal(true);
    expect(String(info.data["text/plain"])).to.match(/function backendInfo\(\): sl\.BackendInfo/);
  });
});
