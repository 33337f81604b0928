import { expect } from "chai";
import { disposeEngineAfterSuite, errorOf, resultText, run } from "./harness";

describe("engine: TypeScript the cells may use", function () {
  this.timeout(60000);
  disposeEngineAfterSuite();

  it("runs a top-level for await loop, type-checked", async () => {
    await run("async function* countTo(n: number) {\n  for (let i = 1; i <= n; i++) yield i;\n}");
    expect(resultText(await run("let total = 0;\nfor await (const x of countTo(3)) {\n  total += x;\n}\ntotal"))).to.equal("6");
    const err = errorOf(await run("for await (const x of countTo(2)) {\n  const s: string = x;\n}"));
    expect(err.ename).to.equal("CompileError");
    expect(err.evalue).to.match(/^2:9 - Type 'number' is not assignable to type 'string'/);
  });

  it("runs a top-level await of a parenthesized expression, type-checked", async () => {
    expect(resultText(await run("const parenthesized = await (Promise.resolve(2));\nparenthesized + 1"))).to.equal("3");
    const err = errorOf(await run("const wrong: string = await (Promise.resolve(2));"));
    expect(err.evalue).to.match(/Type 'number' is not assignable to type 'string'/);
  });

  it("keeps IPython's _, __, ___, Out[n] and In[n], typed any", async () => {
    const first = await run("40 + 2");
    await run("'two'");
    await run("let nothingShown = 1;"); // no result: the history does not move
    const third = await run("[3]");
    expect(resultText(await run("const fromHistory: number = _[0] + __.length + ___;\nfromHistory"))).to.equal("48");
    expect(resultText(await run(`[Out[${first.count}], Out[${third.count}]]`))).to.equal("[ 42, [ 3 ] ]");
    expect(resultText(await run(`In[${first.count}]`))).to.equal("'40 + 2'");
    // A cell that declares its own _ shadows the history's.
    expect(resultText(await run("const _ = 'mine';\n_.toUpperCase()"))).to.equal("'MINE'");
  });

  it("keeps top-level names that start with two underscores", async () => {
    expect(resultText(await run("const __m = 1;\nlet ___n = 2;\n__m + ___n"))).to.equal("3");
    expect(resultText(await run("__m * 10 + ___n"))).to.equal("12");
  });
});
