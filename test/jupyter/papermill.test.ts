/**
 * papermill (from the pinned venv, with this repository's papermill_seqlab plugin) executing
 * the lab notebook with the seqlab kernel and `-p` parameters, which it must write into the
 * notebook as `seqlab run --param` does.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { hasTag } from "../../kernel/runner/notebook";
import { parameterSource } from "../../kernel/runner/parameters";
import { repoRoot } from "../kernel/helpers";
import { cellText, codeCells, outputsOf, readNotebookFile } from "../notebooks/executed";
import { makeJupyterHome, runCommand } from "./python";
import { JupyterVenv, useJupyterVenv } from "./venv";

const NOTEBOOKS = path.join(repoRoot, "notebooks");

describe("papermill -p with the seqlab kernel", function () {
  this.timeout(600000);
  let venv: JupyterVenv;
  let home: ReturnType<typeof makeJupyterHome>;

  before(async function () {
    venv = useJupyterVenv(this, ["papermill", "nbclient"]);
    home = makeJupyterHome();
    // papermill itself must find the translator (through the plugin's entry point).
    const probe = "import papermill\nfrom papermill.translators import papermill_translators as t\nt.find_translator('seqlab', 'typescript')";
    const plugin = await runCommand(venv.python, ["-c", probe], { env: home.env, cwd: home.dir, timeoutMs: 60000 });
    if (plugin.code !== 0) throw new Error(`the papermill plugin is not installed in ${venv.dir}: run ${path.join(venv.bin, "pip")} install ./python/papermill_seqlab (part of .ci/requirements.txt)\n${plugin.output}`);
  });

  after(() => home && fs.rmSync(home.dir, { recursive: true, force: true }));

  function papermill(args: string[], timeoutMs: number) {
    return runCommand(path.join(venv.bin, "papermill"), args, { env: venv.env({ ...home.env, SEQLAB_QUICK: "1" }), cwd: home.dir, timeoutMs });
  }

  it("executes the lab notebook with -p parameters injected as TypeScript assignments", async () => {
    const out = path.join(home.dir, "lab1.out.ipynb");
    const params = { gradientEvery: 50, maxFinalLoss: 2.5, initFan: "matrix" };
    const { code, output } = await papermill(
      [path.join(NOTEBOOKS, "lab1-music-generation.ipynb"), out, "-k", "seqlab", "--cwd", NOTEBOOKS, "-p", "gradientEvery", "50", "-p", "maxFinalLoss", "2.5", "-p", "initFan", "matrix"],
      540000,
    );
    expect(code, output.slice(-4000)).to.equal(0);
    const nb = readNotebookFile(out);

    // The injected cell follows the parameters cell and assigns what seqlab run would.
    const at = nb.cells.findIndex((c) => hasTag(c, "parameters"));
    const injected = nb.cells[at + 1];
    expect(hasTag(injected, "injected-parameters"), "the cell after the parameters cell is tagged injected-parameters").to.equal(true);
    const assignments = (text: string) => text.split("\n").filter((l) => l && !l.startsWith("//"));
    const source = Array.isArray(injected.source) ? injected.source.join("") : injected.source;
    expect(assignments(source)).to.deep.equal(assignments(parameterSource(params)));
    expect((nb.metadata as { papermill?: { parameters?: object } }).papermill?.parameters).to.deep.equal(params);

    // The run used them and every claim held.
    expect(outputsOf(nb).filter((o) => o.output_type === "error").map((o) => ("ename" in o ? `${o.ename}: ${o.evalue}` : ""))).to.deep.equal([]);
    const text = codeCells(nb).map(cellText).join("");
    expect(text).to.contain("✔ gradient recordings (every 50 iterations): 5");
    expect(text).to.not.contain("✘");
  });

  it("refuses a parameter name that is not a TypeScript identifier, saying so", async () => {
    const input = path.join(home.dir, "tiny.ipynb");
    fs.writeFileSync(
      input,
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { kernelspec: { name: "seqlab", display_name: "TypeScript (seqlab)", language: "typescript" } },
        cells: [{ id: "p", cell_type: "code", metadata: { tags: ["parameters"] }, source: "let n = 1;", outputs: [], execution_count: null }],
      }),
    );
    const { code, output } = await papermill([input, path.join(home.dir, "tiny.out.ipynb"), "-p", "2x", "1"], 120000);
    expect(code).to.not.equal(0);
    expect(output).to.contain("papermill parameter '2x' is not a TypeScript identifier");
  });
});
