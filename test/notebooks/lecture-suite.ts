/**
 * The tests every lecture notebook gets, driven by a table of what each must show: committed
 * clean with a quick-aware parameters cell first and claims through sl.claim; then executed once in
 * quick mode by `seqlab run` and once by Jupyter's nbconvert, each run with no failing cell,
 * no failed claim, the claims that carry the section, and its plots.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import type { Notebook } from "../../kernel/runner/notebook";
import { tempDir } from "../runner/helpers";
import { codeCells, expectCommittedClean, expectRanClean, figuresByTraceType, NOTEBOOK_DIR, outputsOf, plotlyFigures, readNotebookFile, tickedClaims } from "./executed";
import { executeWithNbconvert, jupyterForSuite, runQuick } from "./runs";

export interface LectureNotebook {
  /** File name in notebooks/. */
  file: string;
  /** Ticked claims (patterns over everything the notebook printed) an executed copy must show. */
  claims: RegExp[];
  /** The least number of ticked claim lines. */
  minClaims: number;
  /** The least number of plotly figures, of any kind. */
  minFigures?: number;
  /** The least number of figures holding each trace type (e.g. heatmap: 2). */
  minFiguresByTrace?: Record<string, number>;
}

export interface LectureLimits {
  /** Mocha's limit for one run test, in milliseconds. */
  testTimeoutMs: number;
  /** Limit for one nbconvert process, in milliseconds. */
  nbconvertTimeoutMs: number;
}

/** What an executed lecture notebook must show, whoever ran it. */
export function expectLectureRun(nb: Notebook, spec: LectureNotebook): void {
  const text = expectRanClean(nb, spec.file);
  const ticked = tickedClaims(text);
  expect(ticked.length, `${spec.file}: ticked claims\n${ticked.join("\n")}`).to.be.at.least(spec.minClaims);
  for (const pattern of spec.claims) expect(text, spec.file).to.match(pattern);
  if (spec.minFigures !== undefined) {
    expect(plotlyFigures(outputsOf(nb)).length, `${spec.file}: plotly figures`).to.be.at.least(spec.minFigures);
  }
  const byTrace = figuresByTraceType(nb);
  for (const [type, least] of Object.entries(spec.minFiguresByTrace ?? {})) {
    expect(byTrace[type] ?? 0, `${spec.file}: figures with ${type} traces (${JSON.stringify(byTrace)})`).to.be.at.least(least);
  }
}

/** How a lecture notebook is committed, beyond what every notebook shares. */
function expectLectureCommitted(nb: Notebook, file: string): void {
  expectCommittedClean(nb, file);
  const cells = codeCells(nb);
  expect(nb.metadata.kernelspec).to.deep.include({ name: "seqlab", display_name: "TypeScript (seqlab)", language: "typescript" });
  const tagged = cells.filter((c) => c.metadata.tags?.includes("parameters"));
  expect(tagged, `${file}: exactly one parameters cell`).to.have.length(1);
  expect(cells[0], `${file}: the parameters cell is the first code cell`).to.equal(tagged[0]);
  expect(tagged[0].source).to.contain('const quick = process.env.SEQLAB_QUICK === "1";');
  // Every claim goes through sl.claim, which throws headless and warns in a live session (lib/claims.ts).
  const source = cells.map((c) => c.source).join("\n");
  expect(source, `${file}: claims through sl.claim`).to.contain("const claim = sl.claim;");
  expect(source, `${file}: a claim() of its own`).not.to.match(/function claim\(/);
  expect(nb.cells[0].source, `${file}: the introduction says what a failed claim does`).to.contain("SEQLAB_CLAIMS");
  expectExercises(nb, file);
}

/**
 * The notebook ends with "## Exercises" and 2 to 4 exercises ("### Exercise N: ..."), each
 * followed by its answer in a cell hidden by default (JupyterLab's jupyter.source_hidden).
 */
function expectExercises(nb: Notebook, file: string): void {
  const start = nb.cells.findIndex((c) => c.cell_type === "markdown" && c.source.startsWith("## Exercises"));
  expect(start, `${file}: an "## Exercises" section`).to.be.at.least(0);
  const rest = nb.cells.slice(start + 1);
  expect(rest.length % 2, `${file}: every exercise has one answer cell after it`).to.equal(0);
  expect(rest.length / 2, `${file}: exercises`).to.be.within(2, 4);
  for (let k = 0; k < rest.length; k += 2) {
    const [question, answer] = [rest[k], rest[k + 1]];
    expect(question.source, `${file}: exercise ${k / 2 + 1}`).to.match(new RegExp(`^### Exercise ${k / 2 + 1}: [\\s\\S]*\\*\\*Predict\\*\\*`));
    expect(answer.source, `${file}: answer ${k / 2 + 1}`).to.match(/^\*\*Answer\.\*\* /);
    expect(answer.metadata.jupyter, `${file}: answer ${k / 2 + 1} is hidden`).to.deep.equal({ source_hidden: true });
  }
}

/** Three suites for the table: committed clean, `seqlab run --quick`, nbconvert --execute. */
export function describeLectureNotebooks(title: string, notebooks: LectureNotebook[], limits: LectureLimits): void {
  describe(`${title}: committed clean`, function () {
    for (const spec of notebooks) {
      it(`${spec.file}: no outputs, the seqlab kernel, a quick-aware parameters cell first, claims through sl.claim, exercises with hidden answers`, () => {
        const file = path.join(NOTEBOOK_DIR, spec.file);
        expect(fs.existsSync(file), `${file} is missing`).to.equal(true);
        expectLectureCommitted(readNotebookFile(file), spec.file);
      });
    }
  });

  describe(`${title}: \`seqlab run --quick\``, function () {
    this.timeout(limits.testTimeoutMs);
    for (const spec of notebooks) {
      it(`${spec.file} runs with every claim holding`, async () => {
        const out = tempDir("seqlab-lecture-");
        try {
          expectLectureRun(await runQuick(path.join(NOTEBOOK_DIR, spec.file), out), spec);
        } finally {
          fs.rmSync(out, { recursive: true, force: true });
        }
      });
    }
  });

  describe(`${title}: \`jupyter nbconvert --execute\` with the seqlab kernel`, function () {
    this.timeout(limits.testTimeoutMs);
    const jupyter = jupyterForSuite();
    for (const spec of notebooks) {
      it(`${spec.file} executes under nbconvert in quick mode with every claim holding`, async () => {
        const { notebook } = await executeWithNbconvert(jupyter(), path.join(NOTEBOOK_DIR, spec.file), {
          outDir: path.join(jupyter().home.dir, "out"),
          env: { SEQLAB_QUICK: "1" },
          cellTimeoutS: 600,
          timeoutMs: limits.nbconvertTimeoutMs,
        });
        expectLectureRun(notebook, spec);
      });
    }
  });
}
