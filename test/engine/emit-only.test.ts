/**
 * The converter that only compiles (global types "none", toolchain.ts): for cells another
 * checker has accepted it emits the JavaScript and declarations the full TypeScript 5 checker
 * emits, without reading the standard library or any package's declarations; it reports
 * syntax errors and nothing else.
 */
import { expect } from "chai";
import { CellChecker } from "../../kernel/engine/checker-client";
import { PRELUDE } from "../../kernel/engine/globals";

describe("emit-only converter", function () {
  this.timeout(120_000);
  let emitOnly: CellChecker;
  let full: CellChecker;
  before(async () => {
    [emitOnly, full] = await Promise.all([CellChecker.start(process.cwd(), "none"), CellChecker.start(process.cwd(), "all")]);
  });
  after(async () => {
    await emitOnly?.close();
    await full?.close();
  });

  const cells = [
    'import * as tf from "@tensorflow/tfjs";\nimport { Tensor } from "@tensorflow/tfjs";\nlet x = 1;\nconst t = tf.tensor([1]);\nconst u: Tensor = t;\nx',
    "x = x + 1;\nfunction f() { return x; }\nf()",
    "const enum Level { Low = 3 }\nLevel.Low",
    "await Promise.resolve(x)",
    "class Counter { count() { return x; } }\nnew Counter().count()",
    "let { a, b } = { a: 1, b: 2 };\na + b",
    'import { readFileSync } from "fs";\ntypeof readFileSync',
    // Declarations naming types the converter has no library for: their emit must not be blocked.
    "async function later(n: number): Promise<number> { return n; }\nconst table: Record<string, number> = { a: 1 };\nfunction fromEnv(e: NodeJS.ProcessEnv): Float32Array { return new Float32Array(e.HOME ? 1 : 2); }",
    "[await later(table.a), fromEnv(process.env).length]",
  ];

  it("emits what the full checker emits, cell after cell", () => {
    let prevEmitOnly = "";
    let prevFull = "";
    for (const cell of cells) {
      const mine = emitOnly.convert(PRELUDE + prevEmitOnly, cell);
      const theirs = full.convert(PRELUDE + prevFull, cell);
      expect(theirs.diagnostics, cell).to.deep.equal([]);
      expect(mine.diagnostics, cell).to.deep.equal([]);
      expect(mine.output, cell).to.equal(theirs.output);
      expect(mine.lastExpressionVar, cell).to.equal(theirs.lastExpressionVar);
      expect(mine.hasToplevelAwait, cell).to.equal(theirs.hasToplevelAwait);
      expect(mine.declOutput, cell).not.to.match(/^undefined/);
      prevEmitOnly = mine.declOutput ?? prevEmitOnly;
      prevFull = theirs.declOutput ?? prevFull;
    }
  });

  it("reports syntax errors and no type errors", () => {
    expect(emitOnly.convert(PRELUDE, "let = ;").diagnostics.length).to.be.greaterThan(0);
    const typeError = 'import * as tf from "@tensorflow/tfjs";\nconst n: number = tf.tensor([1]);\nconst s: string = 1;';
    expect(full.convert(PRELUDE, typeError).diagnostics.length).to.be.greaterThan(0);
    const converted = emitOnly.convert(PRELUDE, typeError);
    expect(converted.diagnostics).to.deep.equal([]);
    expect(converted.output).to.contain('require("@tensorflow/tfjs")');
  });
});
