/**
 * The student edition of a notebook, generated from its solution edition so the two cannot
 * drift. In the solution edition a part students write is marked inside a code cell:
 *
 *     // BEGIN SOLUTION: cut the input and target windows for each start
 *     ...the solution...
 *     // END SOLUTION
 *
 * The student edition keeps everything else (the check cell after each part included) and
 * puts in place of each marked part a TODO saying what to write, and a line that throws the
 * same words, so a check that calls the unwritten part says what is missing.
 * `fillSolutions` puts the solutions back (the test runs the student edition that way).
 */
import type { Cell, Notebook } from "./runner/notebook";

const BEGIN = /^(\s*)\/\/ BEGIN SOLUTION: (.+?)\s*$/;
const END = /^\s*\/\/ END SOLUTION\s*$/;
const TODO = /^(\s*)\/\/ TODO: (.+?)\s*$/;

/** One marked part of a cell: its indentation, what to write, and the solution's lines. */
interface Part {
  indent: string;
  task: string;
  solution: string[];
}

/** The marked parts of a code cell's source, in order; errors name the cell and line. */
function partsOf(source: string, where: string): { parts: Part[]; outside: string[][] } {
  const outside: string[][] = [[]];
  const parts: Part[] = [];
  let open: Part | undefined;
  source.split("\n").forEach((line, i) => {
    const begin = BEGIN.exec(line);
    if (begin) {
      if (open) throw new Error(`${where}, line ${i + 1}: BEGIN SOLUTION inside another (close the first with // END SOLUTION)`);
      open = { indent: begin[1], task: begin[2], solution: [] };
    } else if (END.test(line)) {
      if (!open) throw new Error(`${where}, line ${i + 1}: END SOLUTION without a BEGIN SOLUTION before it`);
      parts.push(open);
      outside.push([]);
      open = undefined;
    } else if (open) {
      open.solution.push(line);
    } else {
      if (/\/\/ (BEGIN|END) SOLUTION/.test(line)) throw new Error(`${where}, line ${i + 1}: write the marker alone on its line, as "// BEGIN SOLUTION: what to write" or "// END SOLUTION"`);
      outside[outside.length - 1].push(line);
    }
  });
  if (open) throw new Error(`${where}: BEGIN SOLUTION (${open.task}) is never closed with // END SOLUTION`);
  return { parts, outside };
}

/** What the student edition holds in place of a part. */
function placeholder(part: Part): string[] {
  return [`${part.indent}// TODO: ${part.task}`, `${part.indent}throw new Error(${JSON.stringify(`TODO: ${part.task}`)});`];
}

function cellName(cell: Cell, index: number): string {
  return `cell ${index + 1} (id ${cell.id})`;
}

/** The number of marked parts in a notebook (0: it has no student edition). */
export function countStudentParts(nb: Notebook): number {
  return nb.cells.reduce((n, c, i) => n + (c.cell_type === "code" ? partsOf(c.source, cellName(c, i)).parts.length : 0), 0);
}

/** The student edition: every marked part replaced by its TODO; outputs cleared. */
export function studentEdition(nb: Notebook): Notebook {
  const cells = nb.cells.map((cell, i): Cell => {
    if (cell.cell_type !== "code") return cell;
    const { parts, outside } = partsOf(cell.source, cellName(cell, i));
    if (parts.length === 0) return { ...cell, outputs: [], execution_count: null };
    const lines = outside.flatMap((chunk, k) => (k < parts.length ? [...chunk, ...placeholder(parts[k])] : chunk));
    return { ...cell, source: lines.join("\n"), outputs: [], execution_count: null };
  });
  return { ...nb, cells };
}

/**
 * The student edition with the solution edition's parts written in: what a student who got
 * every part right would run. Cells are matched by id; a TODO with no solution is an error.
 */
export function fillSolutions(student: Notebook, solution: Notebook): Notebook {
  const byId = new Map(solution.cells.map((c, i) => [c.id, { cell: c, index: i }]));
  const cells = student.cells.map((cell, i): Cell => {
    if (cell.cell_type !== "code") return cell;
    const lines = cell.source.split("\n");
    if (!lines.some((l) => TODO.test(l))) return cell;
    const found = byId.get(cell.id);
    if (!found) throw new Error(`${cellName(cell, i)} has TODOs but the solution edition has no cell with that id`);
    const parts = partsOf(found.cell.source, cellName(found.cell, found.index)).parts;
    const out: string[] = [];
    let next = 0;
    for (let k = 0; k < lines.length; k++) {
      const todo = TODO.exec(lines[k]);
      if (!todo) {
        out.push(lines[k]);
        continue;
      }
      const part = parts[next++];
      if (!part || part.task !== todo[2]) throw new Error(`${cellName(cell, i)}: its TODO "${todo[2]}" is not the solution edition's part ${next} (${part?.task ?? "none"})`);
      out.push(`${part.indent}// BEGIN SOLUTION: ${part.task}`, ...part.solution, `${part.indent}// END SOLUTION`);
      k++; // the line that throws
    }
    return { ...cell, source: out.join("\n") };
  });
  return { ...student, cells };
}
