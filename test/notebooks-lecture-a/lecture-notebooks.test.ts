/**
 * Lecture notebooks 01–04: committed clean for the seqlab kernel with a parameters cell first,
 * and each one executed in quick mode through `seqlab run` and through Jupyter's nbconvert,
 * with no failing cell, no failed claim, and the claims that carry each lecture section.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parseNotebook, type CodeCell, type Notebook } from "../../kernel/runner/notebook";
import { REPO_ROOT, runCli, tempDir } from "../runner/helpers";
import { makeJupyterHome, pythonWith, runCommand } from "../jupyter/python";

interface LectureNotebook {
  file: string;
  /** Claims (patterns over the printed text) that must appear, ticked, in an executed copy. */
  claims: RegExp[];
  /** At least this many ticked claims. */
  minClaims: number;
  /** Rich outputs (plots) the run must produce. */
  minPlots: number;
}

const NOTEBOOKS: LectureNotebook[] = [
  {
    file: "01-sequences.ipynb",
    claims: [/✔ many-to-one: .*: \[3, 4\]/, /✔ one-to-many: .*: \[3, 7, 4\]/, /✔ many-to-many: .*: \[3, 7, 4\]/, /✔ seeing the past lowers the error at least \d+-fold .*: \d+\.\d/],
    minClaims: 8,
    minPlots: 1,
  },
  {
    file: "02-recurrence.ipynb",
    claims: [
      /✔ largest \|h_t\| with the \(wrong\) product form: 0\n/,
      /✔ seqlab readable cell vs ours: largest difference in h_t/,
      /✔ seqlab fused layer vs ours/,
      /✔ tfjs-layers simpleRNN vs ours/,
      /✔ dL\/dW_hh, library cell vs ours/,
      /✔ sum of the printed per-step losses equals the total loss/,
    ],
    minClaims: 10,
    minPlots: 0,
  },
  {
    file: "03-encoding-words.ipynb",
    claims: [
      /✔ bag of words on order twins \(exactly chance[^)]*\): 0\.500/,
      /✔ RNN beats bag of words on order twins by at least 0\.\d+ \(accuracy difference\): 0\.\d+/,
      /✔ agreement right across an intervening noun/,
      /✔ nouns are closer to nouns than to verbs/,
    ],
    minClaims: 11,
    minPlots: 3,
  },
  {
    file: "04-backprop-through-time.ipynb",
    claims: [
      /✔ ρ = 0\.5 \(factor below 1, though positive\): gradient vanishes/,
      /✔ ρ = 1\.5 \(factor above 1\): gradient explodes/,
      /✔ global norm after clipping to 1: 1\.0000/,
      /✔ the share of gradient reaching the first step falls as the gap grows/,
      /✔ tanh RNN at gap \d+ stays near chance/,
      /✔ at gap \d+, the IRNN beats the tanh RNN by at least 0\.3/,
      /✔ relu' is 0 for negative inputs and 1 for positive ones: 0, 0, 1, 1/,
    ],
    minClaims: 18,
    minPlots: 4,
  },
];

const NOTEBOOK_DIR = path.join(REPO_ROOT, "notebooks");

function codeCells(nb: Notebook): CodeCell[] {
  return nb.cells.filter((c): c is CodeCell => c.cell_type === "code");
}

/** Everything a cell printed, plus text/plain of its rich outputs and its errors. */
function printed(cell: CodeCell): string {
  return cell.outputs
    .map((o) => (o.output_type === "stream" ? o.text : o.output_type === "error" ? `${o.ename}: ${o.evalue}\n` : String(o.data["text/plain"] ?? "")))
    .join("");
}

/** What every executed lecture notebook must show. */
function checkExecuted(nb: Notebook, spec: LectureNotebook): void {
  const cells = codeCells(nb);
  const errors = cells.flatMap((c) => c.outputs.filter((o) => o.output_type === "error"));
  expect(errors, `${spec.file}: ${JSON.stringify(errors).slice(0, 2000)}`).to.deep.equal([]);
  expect(cells.every((c) => c.execution_count !== null), `${spec.file}: a cell did not run`).to.equal(true);
  const text = cells.map(printed).join("");
  expect(text, `${spec.file}: a claim failed`).not.to.contain("✘");
  const ticked = text.split("\n").filter((line) => line.startsWith("✔ "));
  expect(ticked.length, `${spec.file}: checked claims\n${ticked.join("\n")}`).to.be.at.least(spec.minClaims);
  for (const pattern of spec.claims) expect(text, `${spec.file}`).to.match(pattern);
  const plots = cells.flatMap((c) => c.outputs).filter((o) => (o.output_type === "display_data" || o.output_type === "execute_result") && "application/vnd.plotly.v1+json" in o.data);
  expect(plots.length, `${spec.file}: plotly figures`).to.be.at.least(spec.minPlots);
}

describe("lecture notebooks 01-04: committed clean", function () {
  for (const spec of NOTEBOOKS) {
    it(`${spec.file} has no outputs, runs in the seqlab kernel, and starts with a quick-aware parameters cell`, () => {
      const file = path.join(NOTEBOOK_DIR, spec.file);
      expect(fs.existsSync(file), `${file} is missing`).to.equal(true);
      const nb = parseNotebook(fs.readFileSync(file, "utf8"), spec.file);
      const cells = codeCells(nb);
      for (const cell of cells) {
        expect(cell.outputs, `${spec.file}: a cell has outputs`).to.deep.equal([]);
        expect(cell.execution_count, `${spec.file}: a cell has an execution count`).to.equal(null);
      }
      expect(nb.metadata.kernelspec).to.deep.include({ name: "seqlab", display_name: "TypeScript (seqlab)", language: "typescript" });
      const parameterCells = cells.filter((c) => c.metadata.tags?.includes("parameters"));
      expect(parameterCells, `${spec.file}: one parameters cell`).to.have.length(1);
      expect(cells[0], `${spec.file}: the parameters cell comes first`).to.equal(parameterCells[0]);
      expect(parameterCells[0].source).to.contain('const quick = process.env.SEQLAB_QUICK === "1";');
      // Every claim goes through the notebook's claim() helper, which throws when it fails.
      const source = cells.map((c) => c.source).join("\n");
      expect(source).to.match(/function claim\(what: string, value: number \| string, holds: boolean\): void \{[\s\S]*?throw new Error/);
    });
  }
});

describe("lecture notebooks 01-04: `seqlab run --quick`", function () {
  this.timeout(5 * 60 * 1000);
  for (const spec of NOTEBOOKS) {
    it(`${spec.file} runs with every claim holding`, async () => {
      const out = tempDir("seqlab-lecture-a-");
      try {
        const res = await runCli(["run", path.join(NOTEBOOK_DIR, spec.file), "--quick", "--out", out]);
        expect(res.code, res.stderr.slice(-4000)).to.equal(0);
        checkExecuted(parseNotebook(fs.readFileSync(path.join(out, spec.file), "utf8"), spec.file), spec);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });
  }
});

describe("lecture notebooks 01-04: `jupyter nbconvert --execute` with the seqlab kernel", function () {
  this.timeout(5 * 60 * 1000);
  let python: string | null = null;
  let home: ReturnType<typeof makeJupyterHome> | undefined;

  before(function () {
    python = pythonWith(["nbconvert", "nbclient"]);
    if (!python) {
      console.log("    (skipped: no python3 with nbconvert and nbclient; apt-get install jupyter-nbconvert python3-nbclient)");
      this.skip();
    }
    home = makeJupyterHome();
  });

  after(() => {
    if (home) fs.rmSync(home.dir, { recursive: true, force: true });
  });

  for (const spec of NOTEBOOKS) {
    it(`${spec.file} executes under nbconvert in quick mode with every claim holding`, async () => {
      const out = path.join(home!.dir, "out");
      const { code, output } = await runCommand(
        python!,
        [
          "-m", "nbconvert", "--to", "notebook", "--execute",
          "--ExecutePreprocessor.kernel_name=seqlab", "--ExecutePreprocessor.timeout=600",
          "--output-dir", out, path.join(NOTEBOOK_DIR, spec.file),
        ],
        { env: { ...home!.env, SEQLAB_QUICK: "1" }, cwd: REPO_ROOT, timeoutMs: 4 * 60 * 1000 },
      );
      expect(code, output.slice(-4000)).to.equal(0);
      checkExecuted(parseNotebook(fs.readFileSync(path.join(out, spec.file), "utf8"), spec.file), spec);
    });
  }
});
