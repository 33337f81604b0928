/**
 * Lecture notebooks 05 (gated cells), 07 (sentiment) and 08 (translation and attention):
 * committed without outputs for the seqlab kernel, a quick-aware parameters cell first, and
 * each one executed in quick mode by `seqlab run` and by Jupyter's nbconvert with every
 * printed claim ticked and the plots that carry the section present.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parseNotebook, type CodeCell, type Notebook } from "../../kernel/runner/notebook";
import { REPO_ROOT, runCli, tempDir } from "../runner/helpers";
import { makeJupyterHome, pythonWith, runCommand } from "../jupyter/python";

interface NotebookExpectations {
  file: string;
  /** Ticked claims (patterns over everything the notebook printed) the run must show. */
  claims: RegExp[];
  /** The least number of ticked claim lines. */
  minClaims: number;
  /** Plotly figures by trace type (e.g. heatmap: 2) that the run must display, at least. */
  plots: Record<string, number>;
}

const EXPECTED: NotebookExpectations[] = [
  {
    file: "05-gated-cells.ipynb",
    claims: [
      /✔ LSTM: c_t = f_t ⊙ c_\{t-1\} \+ i_t ⊙ g_t \(largest difference\)/,
      /✔ GRU: h_t = z_t ⊙ h_\{t-1\} \+ \(1 − z_t\) ⊙ n_t/,
      /✔ vanilla RNN at gap \d+ stays near chance, 0\.5 \(test accuracy\): 0\.[0-6]/,
      /✔ LSTM beats the vanilla RNN by at least 0\.3 \(accuracy difference\): 0\.[3-9]/,
      /✔ GRU beats the vanilla RNN by at least 0\.3 \(accuracy difference\): 0\.[3-9]/,
      /✔ after training, the LSTM passes at least 100x more of the gradient back to the cue/,
      /✔ the vanilla RNN's gradient vanishes across the gap \(ratio first\/last after training\)/,
      /✔ LSTM: readable cell with the trained weights = the trained layer/,
    ],
    minClaims: 16,
    // loss curves and gradient norms (scatter), and the LSTM's and GRU's gate heatmaps
    plots: { scatter: 2, heatmap: 2 },
  },
  {
    file: "07-sentiment.ipynb",
    claims: [
      /✔ no test sentence occurs in the training set \(overlap\): 0\n/,
      /✔ padding does not change a prediction/,
      /✔ test accuracy on all unseen sentences, at least 0\.8: (0\.[89]|1\.000)/,
      /✔ test accuracy on unseen sentences made of familiar uses of words, at least 0\.\d+: (0\.(8[5-9]|9)|1\.000)/,
      /✔ wrong cases listed = test sentences × \(1 − accuracy\): \d+ = \d+ × /,
      /✔ familiar words: plain\/negated pairs answered right both ways/,
    ],
    minClaims: 7,
    plots: { scatter: 2 },
  },
  {
    file: "08-translation-attention.ipynb",
    claims: [
      /✔ without attention, single numbers are learnt/,
      /✔ without attention, accuracy drops by at least 0\.4 from 1 to \d numbers \(exact match difference\): (0\.[4-9]|1\.000)/,
      /✔ with attention, accuracy on \d numbers stays at least 0\.7/,
      /✔ with attention, the drop is at most a quarter of the drop without it/,
      /✔ output digits whose most-attended source word lies in their own number/,
      /✔ attention model: the loss sends gradient into the encoder's recurrent kernel W_hh/,
    ],
    minClaims: 7,
    // the loss curves, the accuracy bars, the attention heatmap
    plots: { scatter: 1, bar: 1, heatmap: 1 },
  },
];

const NOTEBOOK_DIR = path.join(REPO_ROOT, "notebooks");

const codeCellsOf = (nb: Notebook): CodeCell[] => nb.cells.filter((c): c is CodeCell => c.cell_type === "code");

/** The text a cell showed: its streams, errors and the text/plain of rich outputs (each on lines of its own). */
function shownText(cell: CodeCell): string {
  return cell.outputs
    .map((o) => (o.output_type === "stream" ? o.text : o.output_type === "error" ? `${o.ename}: ${o.evalue}\n` : `${String(o.data["text/plain"] ?? "")}\n`))
    .join("");
}

/** Trace types of every plotly figure the notebook displayed, counted. */
function plotTraceTypes(nb: Notebook): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const cell of codeCellsOf(nb)) {
    for (const o of cell.outputs) {
      if (o.output_type !== "display_data" && o.output_type !== "execute_result") continue;
      const figure = o.data["application/vnd.plotly.v1+json"] as { data?: { type?: string }[] } | undefined;
      if (!figure) continue;
      // one count per figure and trace type, so a figure of three heatmaps counts once
      for (const type of new Set((figure.data ?? []).map((t) => t.type ?? "scatter"))) counts[type] = (counts[type] ?? 0) + 1;
    }
  }
  return counts;
}

function expectExecuted(nb: Notebook, spec: NotebookExpectations): void {
  const cells = codeCellsOf(nb);
  const errors = cells.flatMap((c) => c.outputs.filter((o) => o.output_type === "error"));
  expect(errors, `${spec.file}: ${JSON.stringify(errors).slice(0, 2000)}`).to.deep.equal([]);
  expect(cells.filter((c) => c.execution_count === null), `${spec.file}: cells that did not run`).to.have.length(0);
  const text = cells.map(shownText).join("\n");
  expect(text, `${spec.file}: a claim failed`).not.to.contain("✘");
  const ticked = text.split("\n").filter((line) => line.startsWith("✔ "));
  expect(ticked.length, `${spec.file}: ticked claims\n${ticked.join("\n")}`).to.be.at.least(spec.minClaims);
  for (const pattern of spec.claims) expect(text, spec.file).to.match(pattern);
  const plots = plotTraceTypes(nb);
  for (const [type, least] of Object.entries(spec.plots)) {
    expect(plots[type] ?? 0, `${spec.file}: figures with ${type} traces (${JSON.stringify(plots)})`).to.be.at.least(least);
  }
}

describe("lecture notebooks 05, 07, 08: committed clean", function () {
  for (const spec of EXPECTED) {
    it(`${spec.file}: no outputs, the seqlab kernel, a quick-aware parameters cell first, claims that throw`, () => {
      const file = path.join(NOTEBOOK_DIR, spec.file);
      expect(fs.existsSync(file), `${file} is missing`).to.equal(true);
      const nb = parseNotebook(fs.readFileSync(file, "utf8"), spec.file);
      const cells = codeCellsOf(nb);
      for (const cell of cells) {
        expect(cell.outputs, `${spec.file}: committed with outputs`).to.deep.equal([]);
        expect(cell.execution_count, `${spec.file}: committed with an execution count`).to.equal(null);
      }
      expect(nb.metadata.kernelspec).to.deep.include({ name: "seqlab", display_name: "TypeScript (seqlab)", language: "typescript" });
      const tagged = cells.filter((c) => c.metadata.tags?.includes("parameters"));
      expect(tagged, `${spec.file}: exactly one parameters cell`).to.have.length(1);
      expect(cells[0], `${spec.file}: the parameters cell is the first code cell`).to.equal(tagged[0]);
      expect(tagged[0].source).to.contain('const quick = process.env.SEQLAB_QUICK === "1";');
      const source = cells.map((c) => c.source).join("\n");
      expect(source, `${spec.file}: claim() prints and throws`).to.match(/function claim\(what: string, value: number \| string, holds: boolean\): void \{[\s\S]*?throw new Error/);
    });
  }
});

describe("lecture notebooks 05, 07, 08: `seqlab run --quick`", function () {
  this.timeout(6 * 60 * 1000);
  for (const spec of EXPECTED) {
    it(`${spec.file} runs with every claim holding`, async () => {
      const out = tempDir("seqlab-lecture-b-");
      try {
        const res = await runCli(["run", path.join(NOTEBOOK_DIR, spec.file), "--quick", "--out", out]);
        expect(res.code, res.stderr.slice(-4000) + res.stdout.slice(-2000)).to.equal(0);
        expectExecuted(parseNotebook(fs.readFileSync(path.join(out, spec.file), "utf8"), spec.file), spec);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });
  }
});

describe("lecture notebooks 05, 07, 08: `jupyter nbconvert --execute` with the seqlab kernel", function () {
  this.timeout(6 * 60 * 1000);
  let python: string | null = null;
  let home: ReturnType<typeof makeJupyterHome> | undefined;

  before(function () {
    python = pythonWith(["nbconvert", "nbclient"]);
    if (!python) {
      console.log("    (skipped: jupyter is absent — no python3 with nbconvert and nbclient; apt-get install jupyter-nbconvert python3-nbclient)");
      this.skip();
    }
    home = makeJupyterHome();
  });

  after(() => {
    if (home) fs.rmSync(home.dir, { recursive: true, force: true });
  });

  for (const spec of EXPECTED) {
    it(`${spec.file} executes under nbconvert in quick mode with every claim holding`, async () => {
      const out = path.join(home!.dir, "out-lecture-b");
      const { code, output } = await runCommand(
        python!,
        [
          "-m", "nbconvert", "--to", "notebook", "--execute",
          "--ExecutePreprocessor.kernel_name=seqlab", "--ExecutePreprocessor.timeout=600",
          "--output-dir", out, path.join(NOTEBOOK_DIR, spec.file),
        ],
        { env: { ...home!.env, SEQLAB_QUICK: "1" }, cwd: REPO_ROOT, timeoutMs: 5 * 60 * 1000 },
      );
      expect(code, output.slice(-4000)).to.equal(0);
      expectExecuted(parseNotebook(fs.readFileSync(path.join(out, spec.file), "utf8"), spec.file), spec);
    });
  }
});
