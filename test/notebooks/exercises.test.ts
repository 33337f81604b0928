/**
 * An exercise run the way a student does it: notebook 05's first exercise sets gap = 20. Run
 * headless, the first claim that no longer holds stops the notebook (so a regression fails
 * CI); with SEQLAB_CLAIMS=warn, as in an interactive session, every cell runs, the failed
 * claims print ⚠, and the numbers are the ones the hidden answer gives.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { runCli, tempDir } from "../runner/helpers";
import { codeCells, errorOutputs, NOTEBOOK_DIR, notebookText, readNotebookFile } from "./executed";

const GATED = path.join(NOTEBOOK_DIR, "05-gated-cells.ipynb");

describe("exercises: notebook 05 with gap = 20", function () {
  this.timeout(10 * 60 * 1000);
  let out: string;
  before(() => {
    out = tempDir("seqlab-exercise-");
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  const run = (dir: string, env: NodeJS.ProcessEnv) => runCli(["run", GATED, "--quick", "--param", "gap=20", "--out", path.join(out, dir)], env);

  it("headless, stops at the first claim that no longer holds", async () => {
    const res = await run("headless", { SEQLAB_CLAIMS: "" });
    expect(res.code).to.equal(1);
    const errors = errorOutputs(readNotebookFile(path.join(out, "headless", "05-gated-cells.ipynb")));
    expect(errors.map((e) => `${e.ename}: ${e.evalue}`)).to.deep.equal(["ClaimFailedError: claim failed: vanilla RNN at gap 20 stays near chance, 0.5 (test accuracy) (got 1.000)"]);
  });

  it("with SEQLAB_CLAIMS=warn, runs every cell, warns, and measures what the answer says", async () => {
    const res = await run("warned", { SEQLAB_CLAIMS: "warn" });
    expect(res.code, res.stderr.slice(-3000)).to.equal(0);
    const nb = readNotebookFile(path.join(out, "warned", "05-gated-cells.ipynb"));
    expect(errorOutputs(nb)).to.deep.equal([]);
    expect(codeCells(nb).filter((c) => c.execution_count === null)).to.deep.equal([]);
    const text = notebookText(nb);
    expect(text).to.contain("⚠ claim failed: vanilla RNN at gap 20 stays near chance, 0.5 (test accuracy) (got 1.000)");
    for (const cell of ["vanilla RNN (tanh)", "LSTM", "GRU"]) expect(text).to.match(new RegExp(`${cell.replace(/[()]/g, "\\$&")}\\s+test accuracy 1\\.000`));
    expect(text).to.match(/vanilla RNN \(tanh\)\s+test accuracy 1\.000\s+‖∂L\/∂h_0‖\/‖∂L\/∂h_T‖: 6\.38e-2 \(step 0\)/);
    expect(text).to.match(/step 200: .*largest product of 21 forget gates 6\.13e-2/);
    const answer = nb.cells.find((c) => c.cell_type === "markdown" && c.metadata.jupyter !== undefined && c.source.includes("6.4e-2"));
    expect(answer, "the hidden answer quotes the measured ratio").not.to.equal(undefined);
    expect(answer!.source, "and the forget-gate product").to.contain("6.1e-2");
  });
});
