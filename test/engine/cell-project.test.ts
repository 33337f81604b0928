/**
 * The notebook's cells as a TypeScript 7 project (cell-project.ts): names carried from cell to
 * cell as the engine (TypeScript 5, tslab's converter) carries them, with the same verdicts
 * on the same cells; errors positioned in the cell; a failed cell leaves nothing; a notebook
 * in a folder of its own finds its own modules, seqlab, TensorFlow.js and Node's globals.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { CellProject, type CellDiagnostic } from "../../kernel/engine/cell-project";
import { PRELUDE } from "../../kernel/engine/globals";
import { chosenTypeScript } from "../../kernel/engine/typescript-choice";
import { disposeEngineAfterSuite, run } from "./harness";
import { childPids } from "../../kernel/children";

const errors = (diagnostics: CellDiagnostic[]) => diagnostics.filter((d) => d.category === "error");

/** Checks a cell and keeps it when it has no errors (as the kernel does once it ran). */
function checkAndKeep(project: CellProject, source: string): CellDiagnostic[] {
  const diagnostics = project.check(source);
  if (errors(diagnostics).length === 0) project.keep();
  return diagnostics;
}

describe("cell project (TypeScript 7)", function () {
  this.timeout(120_000);
  disposeEngineAfterSuite();
  let folder: string;
  let project: CellProject;

  before(async () => {
    // A notebook's folder of its own: no node_modules, a module of the user's next to it.
    folder = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-notebook-"));
    fs.writeFileSync(path.join(folder, "mylib.ts"), 'export function helper(n: number): string { return "h" + n; }\n');
    project = await CellProject.open(folder, { prelude: PRELUDE });
  });
  after(() => {
    project?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  // Each cell with the verdict both checkers must give: "ok", or a fragment of the error; a
  // third entry where the engine's differs (unless the engine itself checks with TypeScript 7).
  const cells: [string, string, string?][] = [
    ["let x = 1;\nconst t0 = [1, 2].map((v) => v * 2);", "ok"],
    ['function twice(a: number) { return a * 2; }\nclass Box<T> { constructor(public v: T) {} }\ninterface Point { n: number }\ntype Shape = Point | string;\nenum Color { Red, Green }\nconst { a1, b1: [c1] } = { a1: 1, b1: ["s"] };', "ok"],
    ['x = 5;\nconst y: number = twice(x);\nconst box = new Box("s");\nconst s1: string = box.v;\nconst p: Point = { n: 1 };\nconst sh: Shape = "s";\nconst red: Color.Red = Color.Red;\nconst cs: string = c1;', "ok"],
    ["const bad: number = box.v;", "Type 'string' is not assignable to type 'number'"],
    ['let x = "now a string";\nx.toUpperCase();', "ok"],
    ["const n1: number = x;", "Type 'string' is not assignable to type 'number'"],
    ["x = 3;", "Type 'number' is not assignable to type 'string'"],
    ['x = "fine";\nconst again: Box<number> = new Box(1);', "ok"],
    ['c1 = "no";', "Cannot assign to 'c1' because it is a constant"],
    ["twice('2');", "Argument of type 'string' is not assignable to parameter of type 'number'"],
    // tslab's export of a cell's names takes `declare global` for a name (`__global`).
    ["declare global { var shared1: number }\nglobalThis.shared1 = 1;", "ok", "Cannot find name '__global'"],
    ["const fromGlobal: number = shared1;", "ok", "Cannot find name 'shared1'"],
    ["display.text(String(await Promise.resolve(1)));", "ok"],
    ["notDefinedAnywhere + 1;", "Cannot find name 'notDefinedAnywhere'"],
  ];

  it("carries names from cell to cell with the engine's verdicts (TypeScript 5) on the same cells", async () => {
    for (const [source, expected, differs] of cells) {
      const engineExpected = chosenTypeScript() === 7 ? expected : (differs ?? expected);
      const label = JSON.stringify(source);
      const found = errors(checkAndKeep(project, source)).map((d) => d.message);
      if (expected === "ok") expect(found, label).to.deep.equal([]);
      else expect(found.join("\n"), label).to.contain(expected);
      const { outcome } = await run(source);
      if (engineExpected === "ok") expect(outcome.status, label).to.equal("ok");
      else expect(outcome.status === "error" ? outcome.evalue : "no error", label).to.contain(engineExpected);
    }
  });

  it("positions an error in the cell's own source", () => {
    const source = "const fine = 1;\nconst wrong: string = fine;";
    const [error] = errors(checkAndKeep(project, source));
    expect(source.slice(error.start, error.start + error.length)).to.equal("wrong");
  });

  it("leaves nothing behind from a cell with errors", () => {
    expect(errors(checkAndKeep(project, 'let leftOver: string = 1;\nconst other = 2;'))).to.have.length(1);
    expect(errors(checkAndKeep(project, "leftOver; other;")).map((d) => d.message)).to.deep.equal([
      "Cannot find name 'leftOver'.",
      "Cannot find name 'other'.",
    ]);
  });

  it("keeps a checked cell's names only when told", () => {
    expect(errors(project.check("const maybe = 1;"))).to.deep.equal([]);
    expect(errors(project.check("maybe;")).map((d) => d.message)).to.deep.equal(["Cannot find name 'maybe'."]);
    expect(errors(checkAndKeep(project, "const kept = 1;"))).to.deep.equal([]);
    expect(errors(project.check("kept;"))).to.deep.equal([]);
    expect(() => project.keep()).not.to.throw(); // "kept;" itself, which declares nothing
    expect(() => project.keep()).to.throw(/no checked cell/);
  });

  it("completes a function's parameters and locals, not those of another function", () => {
    const source = [
      "function other(widthElsewhere: number) { const wideElsewhere = 1; }",
      "function area(width: number, { wobble }: { wobble: number }) {",
      "  const widened = width * 2;",
      "  for (const wiggle of [1]) {",
      "    try { } catch (wayward) { return w",
    ].join("\n");
    const offered = project.complete(source, source.length).candidates;
    expect(offered.slice(0, 5)).to.have.members(["wayward", "wiggle", "widened", "width", "wobble"]);
    expect(offered).to.not.include.members(["widthElsewhere", "wideElsewhere"]);
    expect(project.complete("const f = (alpha: number) => alp", 32).candidates[0]).to.equal("alpha");
  });

  it("completes and inspects with the earlier cells' names, keeping nothing", () => {
    checkAndKeep(project, 'import * as tf from "@tensorflow/tfjs";\n/** How many there are. */\nconst counted = tf.tensor([1, 2]);\nfunction countThem(n: number): string { return String(n); }');
    const members = project.complete("counted.su", "counted.su".length);
    expect(members.candidates).to.include.members(["sum", "sub"]);
    expect(members.candidates.every((name) => name.toLowerCase().includes("su"))).to.equal(true);
    expect([members.start, members.end]).to.deep.equal(["counted.".length, "counted.su".length]);
    expect(project.complete("count", 5).candidates.slice(0, 2)).to.have.members(["counted", "countThem"]);
    const tensors = project.complete("tf.tens", 7).candidates;
    expect(tensors[0]).to.equal("tensor");
    expect(tensors).to.include.members(["tensor1d", "tensor2d"]);
    const info = project.inspect("countThem(1)", 2);
    expect(info?.displayParts.map((p) => p.text).join("")).to.equal("function countThem(n: number): string");
    expect(project.inspect("countThem(1)   ", 14)).to.equal(undefined);
    expect(project.inspect("counted", 1)?.documentation.map((p) => p.text).join("")).to.equal("How many there are.");
    expect(project.inspect("tf.tensor([1])", 5)?.documentation.map((p) => p.text).join("")).to.match(/Creates a `tf.Tensor`/);
    expect(errors(project.check("countThem(2); counted;"))).to.deep.equal([]); // still there, nothing added
  });

  it("forgets every cell on reset", () => {
    checkAndKeep(project, "const beforeReset = 1;");
    project.reset();
    expect(errors(project.check("beforeReset;")).map((d) => d.message)).to.deep.equal(["Cannot find name 'beforeReset'."]);
  });

  it("finds the folder's own modules, seqlab, TensorFlow.js and Node's globals from a folder of its own", () => {
    const imports = 'import { helper } from "./mylib";\nimport * as sl from "seqlab";\nimport * as tf from "@tensorflow/tfjs";\nconst h: string = helper(1);\nconst total: tf.Tensor = tf.tensor([1, 2]).sum();\nconsole.log(process.env.HOME, typeof sl.tf);';
    expect(errors(checkAndKeep(project, imports))).to.deep.equal([]);
    expect(errors(checkAndKeep(project, "const later: tf.Tensor1D = tf.tensor1d([h.length]);"))).to.deep.equal([]);
    expect(errors(project.check('import { nothing } from "./no-such-file";')).map((d) => d.message).join()).to.contain("Cannot find module './no-such-file'");
  });

  /** TypeScript 7's process for this suite's folder (its command line names the folder). */
  const compilerPid = (): number => {
    const pids = fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name));
    const found = pids.find((pid) => {
      try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        return argv.includes("--api") && argv.includes(folder);
      } catch {
        return false; // ended meanwhile
      }
    });
    if (!found) throw new Error("TypeScript 7's process was not found");
    return Number(found);
  };

  it("runs TypeScript's process outside the kernel's process group, which an interrupt signals", function () {
    if (process.platform !== "linux") this.skip(); // reads /proc
    // Fields after the command's closing parenthesis: state, ppid, pgrp, session.
    const group = (pid: number | "self") => fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[2];
    expect(group(compilerPid())).not.to.equal(group("self"));
  });

  it("starts TypeScript again, with every kept cell, when its process was killed", async () => {
    checkAndKeep(project, "const beforeKill = 1;");
    const pid = compilerPid();
    process.kill(pid, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(errors(checkAndKeep(project, "const afterKill: number = beforeKill + 1;"))).to.deep.equal([]);
    expect(compilerPid()).not.to.equal(pid);
    expect(errors(project.check("const wrong: string = afterKill;")).map((d) => d.message)).to.deep.equal(["Type 'number' is not assignable to type 'string'."]);
  });

  it("ends TypeScript's process when suspended and starts it again, with every kept cell, on the next request", async () => {
    checkAndKeep(project, "const beforeSuspend = 1;");
    const pid = compilerPid();
    project.suspend();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(() => compilerPid()).to.throw(/not found/);
    expect(errors(checkAndKeep(project, "const afterSuspend: number = beforeSuspend;"))).to.deep.equal([]);
    expect(compilerPid()).not.to.equal(pid);
  });

  it("ends TypeScript's process and removes the cells' folder when closed", async () => {
    const earlier = new Set(childPids());
    const other = await CellProject.open(folder);
    expect(fs.existsSync(other.dir)).to.equal(true);
    const started = childPids().filter((pid) => !earlier.has(pid));
    expect(started).to.have.length(1);
    // Closed means ended, not still exiting: a kernel's shutdown would take it for a process a
    // cell started.
    await other.close();
    expect(childPids()).not.to.include(started[0]);
    expect(fs.existsSync(other.dir)).to.equal(false);
    expect(() => other.check("1")).to.throw(/closed/);
  });
});

describe("cell project: @types/node only once a cell needs it", function () {
  this.timeout(120_000);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-notebook-"));
  const opened: CellProject[] = [];
  const fresh = async (): Promise<CellProject> => {
    const project = await CellProject.open(folder, { prelude: PRELUDE });
    opened.push(project);
    return project;
  };
  const messages = (diagnostics: CellDiagnostic[]) => errors(diagnostics).map((d) => d.message);
  after(() => {
    for (const project of opened) project.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it("checks console, timers, seqlab and TensorFlow.js without it, and reports unknown names and type errors as before", async () => {
    const project = await fresh();
    expect(messages(checkAndKeep(project, 'const timer: NodeJS.Timeout = setTimeout((n: number) => console.log(n), 1, 2);\nclearTimeout(timer);\nqueueMicrotask(() => console.error("x"));'))).to.deep.equal([]);
    expect(messages(checkAndKeep(project, 'import * as sl from "seqlab";\nimport * as tf from "@tensorflow/tfjs";\nconst named: string = sl.backendInfo().name;\nconst summed: tf.Tensor = tf.tensor([1]).sum();'))).to.deep.equal([]);
    expect(messages(project.check("notDefinedAnywhere + 1;"))).to.deep.equal(["Cannot find name 'notDefinedAnywhere'."]);
    expect(messages(project.check("consol.log(1);")).join()).to.contain("Cannot find name 'consol'");
    expect(messages(project.check("setTimeout((n: number) => n, 1, 'two');")).join()).to.contain("not assignable");
    expect(project.hasNodeTypes).to.equal(false);
  });

  it("loads it for a Node global, keeping every earlier cell, and checks the cell against it", async () => {
    const project = await fresh();
    checkAndKeep(project, "const early = setInterval(() => undefined, 1000);");
    expect(messages(checkAndKeep(project, "const home: string | undefined = process.env.HOME;\nclearInterval(early);\nconst bytes: Buffer = Buffer.from(home ?? '');"))).to.deep.equal([]);
    expect(project.hasNodeTypes).to.equal(true);
    expect(messages(project.check("const wrong: number = process.env.HOME;")).join()).to.contain("is not assignable to type 'number'");
    expect(messages(project.check("early.refresh(); bytes.readUInt8(0);"))).to.deep.equal([]);
  });

  it("loads it for Node's modules, its namespace and require, and reports their type errors", async () => {
    for (const [cell, error] of [
      ['import { readFileSync } from "fs";\nconst size: number = readFileSync("x", "utf8");', "Type 'string' is not assignable to type 'number'"],
      ['import * as fsp from "node:fs/promises";\nconst text: number = await fsp.readFile("x", "utf8");', "Type 'string' is not assignable to type 'number'"],
      ["let stream: NodeJS.ReadableStream;", ""],
      ['const os2 = require("os");\nconst cores: number = os2.cpus().length;', ""],
      ["const tick: string = performance.now();", "Type 'number' is not assignable to type 'string'"],
    ] as const) {
      const project = await fresh();
      const found = messages(project.check(cell)).join("\n");
      if (error === "") expect(found, cell).to.equal("");
      else expect(found, cell).to.contain(error);
      expect(project.hasNodeTypes, cell).to.equal(true);
      project.close();
    }
  });

  it("loads it to complete or inspect a Node global", async () => {
    const completing = await fresh();
    expect(completing.complete("proc", 4).candidates).to.include("process");
    completing.close();
    const members = await fresh();
    expect(members.complete("process.en", 10).candidates).to.include("env");
    members.close();
    const inspecting = await fresh();
    expect(inspecting.inspect("Buffer.from('a')", 8)?.displayParts.map((p) => p.text).join("")).to.contain("from");
    inspecting.close();
    const without = await fresh();
    expect(without.complete("cons", 4).candidates).to.include("console");
    expect(without.complete("console.lo", 10).candidates).to.include("log");
    expect(without.hasNodeTypes).to.equal(false);
  });
});
