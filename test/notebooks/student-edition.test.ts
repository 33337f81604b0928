/**
 * The lab's student edition (kernel/student-edition.ts): generated from the solution edition's
 * BEGIN/END SOLUTION markers, written by `seqlab notebooks DIR --student`; unwritten, its first
 * check says what is missing; with the solutions filled in it runs in quick mode with every
 * claim and check holding.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { countStudentParts, fillSolutions, studentEdition } from "../../kernel/student-edition";
import { writeNotebook, type Notebook } from "../../kernel/runner/notebook";
import { code, notebook, runCli, tempDir } from "../runner/helpers";
import { codeCells, errorOutputs, expectRanClean, NOTEBOOK_DIR, readNotebookFile } from "./executed";
import { runQuick } from "./runs";

const LAB1 = path.join(NOTEBOOK_DIR, "lab1-music-generation.ipynb");
/** The parts the lab's students write, by the function that holds each. */
const PARTS = ["vectorizeString", "getBatch", "buildModel", "computeLoss", "trainStep", "generateText"];

const sources = (nb: Notebook): string[] => nb.cells.map((c) => c.source);

describe("student edition: generated from solution markers", function () {
  const solution = readNotebookFile(LAB1);
  const student = studentEdition(solution);

  it("the lab marks one part per function students write, each followed by its check", () => {
    expect(countStudentParts(solution)).to.equal(PARTS.length);
    const cells = codeCells(solution);
    for (const name of PARTS) {
      const at = cells.findIndex((c) => c.source.includes(`function ${name}(`) && c.source.includes("// BEGIN SOLUTION: "));
      expect(at, `${name} has a marked part`).to.be.at.least(0);
      const checkedHere = cells[at].source.includes(`sl.labChecks.check`) || cells[at + 1]?.source.includes(`sl.labChecks.check`);
      expect(checkedHere, `${name} is followed by a check`).to.equal(true);
    }
  });

  it("leaves each part as a TODO that throws its task, and no solution line", () => {
    const text = sources(student).join("\n");
    expect(text).not.to.contain("BEGIN SOLUTION").and.not.to.contain("END SOLUTION");
    expect(text.match(/^\s*\/\/ TODO: /gm)).to.have.length(PARTS.length);
    expect(text.match(/^\s*throw new Error\("TODO: /gm)).to.have.length(PARTS.length);
    for (const line of ["char2idx.get(ch)!", "vectorized.subarray(i + 1, i + 1 + seqLength)", "sl.lstmLayer({ units: rnnUnits", "tf.logSoftmax(logits)", "optimizer.applyGradients(grads)", "input = [id];"]) {
      expect(text, line).not.to.contain(line);
    }
    // the rest is the solution edition's: same cells, same ids, the check cells as they are
    expect(student.cells.map((c) => c.id)).to.deep.equal(solution.cells.map((c) => c.id));
    const untouched = solution.cells.filter((c) => !c.source.includes("BEGIN SOLUTION"));
    for (const cell of untouched) expect(student.cells.find((c) => c.id === cell.id)!.source).to.equal(cell.source);
  });

  it("filling the solutions back in gives the solution edition, so the two cannot drift", () => {
    expect(sources(fillSolutions(student, solution))).to.deep.equal(sources(solution));
  });

  it("refuses unbalanced markers and a TODO the solution edition does not have, naming the cell", () => {
    const open = notebook([code("function f(): number {\n  // BEGIN SOLUTION: return 1\n  return 1;\n}")]);
    expect(() => studentEdition(open)).to.throw(/cell 1 .*BEGIN SOLUTION \(return 1\) is never closed/);
    const stray = notebook([code("// END SOLUTION")]);
    expect(() => studentEdition(stray)).to.throw(/cell 1 .*line 1: END SOLUTION without a BEGIN SOLUTION/);
    const nested = notebook([code("// BEGIN SOLUTION: a\n// BEGIN SOLUTION: b\n// END SOLUTION")]);
    expect(() => studentEdition(nested)).to.throw(/line 2: BEGIN SOLUTION inside another/);
    const solved = notebook([code("function f(): number {\n  // BEGIN SOLUTION: return 1\n  return 1;\n  // END SOLUTION\n}")]);
    const renamed = studentEdition(solved);
    renamed.cells[0].source = renamed.cells[0].source.replace("TODO: return 1", "TODO: return 2");
    expect(() => fillSolutions(renamed, solved)).to.throw(/its TODO "return 2" is not the solution edition's part 1 \(return 1\)/);
  });
});

describe("student edition: `seqlab notebooks DIR --student` and running it", function () {
  this.timeout(15 * 60 * 1000);
  let dir: string;
  before(() => {
    dir = tempDir("seqlab-student-");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("writes the lab's student edition and the lecture notebooks as they are", async () => {
    const res = await runCli(["notebooks", path.join(dir, "class"), "--student"]);
    expect(res.code, res.stderr).to.equal(0);
    const lab = readNotebookFile(path.join(dir, "class", "lab1-music-generation.ipynb"));
    expect(sources(lab)).to.deep.equal(sources(studentEdition(readNotebookFile(LAB1))));
    const lecture = "01-sequences.ipynb";
    expect(fs.readFileSync(path.join(dir, "class", lecture), "utf8")).to.equal(fs.readFileSync(path.join(NOTEBOOK_DIR, lecture), "utf8"));
  });

  it("as written for students, stops at the first check, which says the part is not written yet", async () => {
    const out = path.join(dir, "unwritten");
    const res = await runCli(["run", path.join(dir, "class", "lab1-music-generation.ipynb"), "--quick", "--out", out]);
    expect(res.code, "a run with a TODO left fails").to.equal(1);
    const errors = errorOutputs(readNotebookFile(path.join(out, "lab1-music-generation.ipynb")));
    expect(errors).to.have.length(1);
    expect(errors[0].ename).to.equal("LabCheckError");
    expect(errors[0].evalue).to.match(/^vectorizeString: not written yet \(TODO: return one index per character/);
  });

  it("with the solutions filled in, runs in quick mode with every check and claim holding", async () => {
    const filled = path.join(dir, "filled", "lab1-music-generation.ipynb");
    fs.mkdirSync(path.dirname(filled));
    writeNotebook(filled, fillSolutions(readNotebookFile(path.join(dir, "class", "lab1-music-generation.ipynb")), readNotebookFile(LAB1)));
    const text = expectRanClean(await runQuick(filled, path.join(dir, "filled-out")), "filled student edition");
    for (const name of PARTS) expect(text, name).to.match(new RegExp(`✔ ${name} `));
    expect(text).to.match(/✔ valid generated tunes, at least \d+: \d+/);
  });
});
