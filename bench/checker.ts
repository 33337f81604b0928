/**
 * `seqlab bench checker`: type-checking a notebook's cells with the kernel's TypeScript 5
 * checkers (tslab's converter in worker threads, checkers.ts) beside TypeScript 7's native
 * compiler (cell-project.ts), each in a fresh process per round, alternating, the order
 * swapped each round. The clocks start when the process starts loading its checker:
 *   first: a first cell `1+1` checked (TypeScript 5: the quick checker, standard library only);
 *   import: then a cell importing seqlab and TensorFlow.js (TypeScript 5: the full checker,
 *     every @types package, loads for it, as in the kernel);
 *   cell: then --cells small cells, each using the names of the one before (median);
 * and the resident memory after each step: the process (its threads included) plus, for
 * TypeScript 7, its compiler's process. TypeScript 5's converter also compiles each cell to
 * JavaScript and emits its declarations; the TypeScript 7 side only type-checks, so its
 * figures leave out what emitting JavaScript will cost it.
 * A speed report, not a test.
 */
import { execFileSync } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { performance } from "perf_hooks";
import { Command } from "commander";
import { median } from "./kernel";

const SIDES = ["typescript-5", "typescript-7"] as const;
type Side = (typeof SIDES)[number];

interface SideFigures {
  firstMs: number;
  importMs: number;
  cellMs: number;
  firstRssMb: number;
  importRssMb: number;
  cellsRssMb: number;
}

const IMPORT_CELL = 'import * as sl from "seqlab";\nimport * as tf from "@tensorflow/tfjs";\nconst total: tf.Scalar = tf.tensor([1, 2]).sum();';
const cellSource = (i: number) =>
  i === 0 ? "let v0 = 1;" : `const v${i}: number = v${i - 1} + ${i};\nfunction f${i}(a: number) { return [a, v${i}].map((x) => x * 2); }\nf${i}(v${i});`;


/** Resident set size of this process and its children (TypeScript 7's compiler), from /proc. */
function rssMb(): number {
  const of = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  const children = fs
    .readdirSync(`/proc/${process.pid}/task`)
    .flatMap((task) => fs.readFileSync(`/proc/${process.pid}/task/${task}/children`, "utf8").trim().split(/\s+/))
    .filter(Boolean)
    .map(Number);
  return of(process.pid) + children.reduce((sum, pid) => sum + of(pid), 0);
}

/** One checker as the benchmark drives it. */
interface BenchChecker {
  /** Checks a cell (throws when it is rejected). */
  check(source: string): void;
  /** What has to happen before a cell that imports (TypeScript 5: loading the full checker). */
  beforeImport(): Promise<void>;
  close(): Promise<void>;
}

async function typeScript5(rootDir: string, prelude: string): Promise<BenchChecker> {
  const { CellChecker } = await import("../kernel/engine/checker-client");
  const quick = await CellChecker.start(rootDir, "standard-library");
  let live = quick;
  let full: typeof quick | undefined;
  let prevDecl = "";
  return {
    check(source) {
      const converted = live.convert(prelude + prevDecl, source);
      if (converted.diagnostics.length > 0) throw new Error(`TypeScript 5 rejected ${JSON.stringify(source)}: ${converted.diagnostics[0].messageText}`);
      prevDecl = converted.declOutput ?? prevDecl;
    },
    async beforeImport() {
      full = await CellChecker.start(rootDir, "all");
      live = full;
      await quick.close();
    },
    async close() {
      await quick.close();
      await full?.close();
    },
  };
}

async function typeScript7(rootDir: string, prelude: string): Promise<BenchChecker> {
  const { CellProject } = await import("../kernel/engine/cell-project");
  const project = await CellProject.open(rootDir, { prelude });
  return {
    check(source) {
      const errors = project.check(source).filter((d) => d.category === "error");
      if (errors.length > 0) throw new Error(`TypeScript 7 rejected ${JSON.stringify(source)}: ${errors[0].message}`);
      project.keep(); // as the kernel keeps a cell once it ran
    },
    beforeImport: async () => undefined,
    close: async () => project.close(),
  };
}

/** One side's run, in this (fresh) process. */
async function runSide(side: Side, rootDir: string, cells: number): Promise<SideFigures> {
  const { PRELUDE } = await import("../kernel/engine/globals");
  const { useCellPackages } = await import("../kernel/engine/packages");
  useCellPackages(rootDir);
  const started = performance.now();
  const checker = await (side === "typescript-7" ? typeScript7 : typeScript5)(rootDir, PRELUDE);
  checker.check("1+1");
  const firstMs = performance.now() - started;
  const firstRssMb = rssMb();
  const importStarted = performance.now();
  await checker.beforeImport();
  checker.check(IMPORT_CELL);
  const importMs = performance.now() - importStarted;
  const importRssMb = rssMb();
  const times: number[] = [];
  for (let i = 0; i < cells; i++) {
    const t = performance.now();
    checker.check(cellSource(i));
    times.push(performance.now() - t);
  }
  const cellsRssMb = rssMb();
  await checker.close();
  return { firstMs, importMs, cellMs: median(times), firstRssMb, importRssMb, cellsRssMb };
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command("seqlab bench checker")
    .option("--rounds <n>", "fresh processes per side (figures are their medians)", "5")
    .option("--cells <n>", "small cells checked after the import cell", "20")
    .option("--side <side>", "(internal) run one side in this process and print its figures as JSON")
    .option("--root <dir>", "(internal) the notebook's folder")
    .exitOverride();
  program.parse(argv, { from: "user" });
  const opts = program.opts<{ rounds: string; cells: string; side?: Side; root?: string }>();
  const cells = Number(opts.cells);
  if (opts.side) {
    const figures = await runSide(opts.side, opts.root ?? process.cwd(), cells);
    process.stdout.write(JSON.stringify(figures) + "\n");
    return 0;
  }
  // A notebook in a folder of its own, as a user has it.
  const rootDir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-bench-checker-"));
  const rounds = Number(opts.rounds);
  const all: Record<Side, SideFigures[]> = { "typescript-5": [], "typescript-7": [] };
  try {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? SIDES : [...SIDES].reverse();
      for (const side of order) {
        const out = execFileSync(process.execPath, [process.argv[1], "bench", "checker", "--side", side, "--root", rootDir, "--cells", String(cells)], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "inherit"],
        });
        const figures = JSON.parse(out.trim().split("\n").pop() as string) as SideFigures;
        all[side].push(figures);
        process.stderr.write(`  ${side} ${round + 1}/${rounds}: first ${figures.firstMs.toFixed(0)} ms, import ${figures.importMs.toFixed(0)} ms, cell ${figures.cellMs.toFixed(1)} ms, RSS ${figures.firstRssMb.toFixed(0)} / ${figures.importRssMb.toFixed(0)} / ${figures.cellsRssMb.toFixed(0)} MB\n`);
      }
    }
  } finally {
    fs.rmSync(rootDir, { recursive: true, force: true });
  }
  const row = (side: Side) => {
    const f = all[side];
    const m = (key: keyof SideFigures) => median(f.map((x) => x[key]));
    return [side, `${m("firstMs").toFixed(0)} ms`, `${m("importMs").toFixed(0)} ms`, `${m("cellMs").toFixed(1)} ms`, `${m("firstRssMb").toFixed(0)} MB`, `${m("importRssMb").toFixed(0)} MB`, `${m("cellsRssMb").toFixed(0)} MB`];
  };
  const header = ["checker", "first cell (1+1)", "import cell after it", `small cell (median of ${cells})`, "RSS after first", "RSS after import", `RSS after ${cells} cells`];
  const lines = [header, header.map(() => "---"), row("typescript-5"), row("typescript-7")].map((cols) => `| ${cols.join(" | ")} |`);
  process.stdout.write(
    `\ntype-checking cells, from loading the checker (median of ${rounds} fresh processes per side, alternating); RSS includes checker threads and TypeScript 7's process; TypeScript 5 also compiles each cell to JavaScript, TypeScript 7 only checks\n\n${lines.join("\n")}\n`,
  );
  return 0;
}
