import { expect } from "chai";
import { clearOutputs, NotebookFormatError, parseNotebook, serializeNotebook, splitLines } from "../../kernel/runner/notebook";
import { injectParameters, parameterSource, parseParameter } from "../../kernel/runner/parameters";
import { parseRunArgs, UsageError } from "../../kernel/runner/args";

const RAW = {
  nbformat: 4,
  nbformat_minor: 2,
  metadata: { kernelspec: { name: "seqlab" } },
  cells: [
    { cell_type: "markdown", metadata: {}, source: ["# T\n", "text"] },
    { cell_type: "code", metadata: { tags: ["parameters"] }, source: "let n = 1;", outputs: [], execution_count: null },
    {
      cell_type: "code",
      metadata: {},
      source: ["n\n", "+ 1"],
      execution_count: 3,
      outputs: [
        { output_type: "execute_result", execution_count: 3, data: { "text/plain": ["2"], "application/json": { a: [1] } }, metadata: {} },
        { output_type: "stream", name: "stdout", text: ["x\n", "y\n"] },
      ],
    },
  ],
};

describe("runner: notebook files", () => {
  it("reads list-of-lines strings, gives cells ids and upgrades to nbformat 4.5", () => {
    const nb = parseNotebook(JSON.stringify(RAW));
    expect(nb.nbformat_minor).to.equal(5);
    expect(nb.cells[0].source).to.equal("# T\ntext");
    expect(new Set(nb.cells.map((c) => c.id)).size).to.equal(3);
    for (const c of nb.cells) expect(c.id).to.match(/^[a-zA-Z0-9-_]{1,64}$/);
    const code = nb.cells[2];
    if (code.cell_type !== "code") throw new Error("expected a code cell");
    expect(code.outputs[0]).to.deep.equal({ output_type: "execute_result", execution_count: 3, data: { "text/plain": "2", "application/json": { a: [1] } }, metadata: {} });
  });

  it("writes as Jupyter does: sorted keys, indent 1, text split into lines, JSON kept, final newline", () => {
    const text = serializeNotebook(parseNotebook(JSON.stringify(RAW)));
    expect(text.endsWith("}\n")).to.equal(true);
    expect(text).to.match(/^\{\n "cells": \[/);
    const back = JSON.parse(text);
    expect(Object.keys(back)).to.deep.equal(["cells", "metadata", "nbformat", "nbformat_minor"]);
    expect(back.cells[2].source).to.deep.equal(["n\n", "+ 1"]);
    expect(back.cells[2].outputs[0].data).to.deep.equal({ "application/json": { a: [1] }, "text/plain": ["2"] });
    expect(back.cells[2].outputs[1].text).to.deep.equal(["x\n", "y\n"]);
    // and reading it again gives the same notebook
    expect(serializeNotebook(parseNotebook(text))).to.equal(text);
  });

  it("splitLines keeps newlines and gives [] for empty text", () => {
    expect(splitLines("")).to.deep.equal([]);
    expect(splitLines("a\nb")).to.deep.equal(["a\n", "b"]);
    expect(splitLines("a\n")).to.deep.equal(["a\n"]);
  });

  it("clearOutputs removes outputs and execution counts only", () => {
    const raw = JSON.parse(JSON.stringify(RAW));
    raw.cells[2].metadata = { tags: ["x"], execution: { "iopub.status.busy": "2026-01-01T00:00:00Z" } };
    const nb = clearOutputs(parseNotebook(JSON.stringify(raw)));
    const code = nb.cells[2];
    if (code.cell_type !== "code") throw new Error("expected a code cell");
    expect(code.outputs).to.deep.equal([]);
    expect(code.execution_count).to.equal(null);
    expect(code.source).to.equal("n\n+ 1");
    expect(code.metadata).to.deep.equal({ tags: ["x"] });
  });

  it("refuses what is not an nbformat 4 notebook, saying why", () => {
    expect(() => parseNotebook("{not json", "x.ipynb")).to.throw(NotebookFormatError, /x.ipynb is not valid JSON/);
    expect(() => parseNotebook(JSON.stringify({ nbformat: 3, worksheets: [] }), "old.ipynb")).to.throw(NotebookFormatError, /nbformat 4.*found nbformat 3/);
  });
});

describe("runner: parameters", () => {
  it("parses values as JSON when possible, else as strings", () => {
    expect(parseParameter("n=10")).to.deep.equal(["n", 10]);
    expect(parseParameter("lr=5e-3")).to.deep.equal(["lr", 0.005]);
    expect(parseParameter("quick=true")).to.deep.equal(["quick", true]);
    expect(parseParameter("sizes=[1,2]")).to.deep.equal(["sizes", [1, 2]]);
    expect(parseParameter("name=hello world")).to.deep.equal(["name", "hello world"]);
    expect(parseParameter("eq=a=b")).to.deep.equal(["eq", "a=b"]);
    expect(() => parseParameter("novalue")).to.throw(/name=value/);
    expect(() => parseParameter("1x=2")).to.throw(/not a TypeScript identifier/);
  });

  it("injects a tagged cell of assignments right after the parameters cell, replacing an older one", () => {
    const nb = parseNotebook(JSON.stringify(RAW));
    const once = injectParameters(nb, { n: 5, name: "a\"b" });
    expect(once.cells).to.have.length(4);
    expect(once.cells[2].metadata.tags).to.deep.equal(["injected-parameters"]);
    expect(once.cells[2].source).to.equal(parameterSource({ n: 5, name: "a\"b" }));
    expect(once.cells[2].source).to.contain('n = 5;\nname = "a\\"b";');
    const twice = injectParameters(once, { n: 6 });
    expect(twice.cells).to.have.length(4);
    expect(twice.cells[2].source).to.contain("n = 6;");
    expect(injectParameters(nb, {})).to.equal(nb);
  });

  it("says what to do when no cell is tagged parameters", () => {
    const nb = parseNotebook(JSON.stringify({ ...RAW, cells: [RAW.cells[0]] }));
    expect(() => injectParameters(nb, { n: 1 })).to.throw(/no code cell tagged "parameters"/);
  });
});

describe("runner: command line", () => {
  it("parses notebooks and options", () => {
    const o = parseRunArgs(["a.ipynb", "--quick", "--param", "n=3", "-p", "s=x", "--out=o", "--html", "--timeout", "2.5", "b.ipynb"], {});
    expect(o).to.deep.equal({ notebooks: ["a.ipynb", "b.ipynb"], quick: true, params: { n: 3, s: "x" }, outDir: "o", html: true, timeoutSeconds: 2.5, help: false });
  });

  it("turns quick on from SEQLAB_QUICK=1 and has defaults", () => {
    const o = parseRunArgs(["a.ipynb"], { SEQLAB_QUICK: "1" });
    expect(o.quick).to.equal(true);
    expect(o.outDir).to.equal("build/notebooks");
    expect(o.html).to.equal(false);
    expect(parseRunArgs(["--help"], {}).help).to.equal(true);
  });

  it("rejects bad command lines with a message saying what is wrong", () => {
    expect(() => parseRunArgs([], {})).to.throw(UsageError, /no notebook/);
    expect(() => parseRunArgs(["a.ipynb", "--bogus"], {})).to.throw(UsageError, /unknown option --bogus/);
    expect(() => parseRunArgs(["a.ipynb", "--timeout", "-1"], {})).to.throw(UsageError, /positive number/);
    expect(() => parseRunArgs(["a.ipynb", "--out"], {})).to.throw(UsageError, /--out needs a value/);
    expect(() => parseRunArgs(["a.ipynb", "--param", "oops"], {})).to.throw(UsageError, /name=value/);
  });
});
