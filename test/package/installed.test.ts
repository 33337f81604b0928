/**
 * seqlab as users get it: the package packed (`npm pack`), installed outside the checkout
 * into an npm project that has its own @tensorflow/tfjs, and into a global prefix; its
 * kernelspec installed from there; a notebook of the user's own run from a folder of its
 * own through `seqlab run` and `jupyter nbconvert --execute`. The notebook imports seqlab
 * and tfjs (no initBackend), mixes tf.layers with seqlab's layers and trains with %%train.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../kernel/helpers";
import { pythonWith, runCommand } from "../jupyter/python";
import { KernelProcess } from "../../kernel/jupyter-client";
import { cellText, codeCells, errorOutputs, readNotebookFile } from "../notebooks/executed";

/** A notebook a user might write against the README, with no set-up cell. */
const USER_CELLS = [
  `import * as sl from "seqlab";
import * as tf from "@tensorflow/tfjs";
const info = sl.backendInfo();
console.log(\`backend \${info.name}; one tfjs: \${sl.tf.Tensor === tf.Tensor}; tfjs \${tf.version.tfjs}\`);`,
  `const text = "abcabcabdabcabcabdabcabcabd".repeat(8);
const vocab = sl.Vocabulary.fromText(text);
const ids = vocab.encode(text);
const model = tf.sequential();
model.add(tf.layers.embedding({ inputDim: vocab.size, outputDim: 8, inputShape: [null] }));
model.add(sl.lstmLayer({ units: 16, returnSequences: true }));
model.add(tf.layers.dense({ units: vocab.size }));
const batches = (ctx: sl.BatchContext) => sl.getBatch(ids, 12, 4, ctx.rng);
(model.predict(tf.zeros([2, 12])) as tf.Tensor).shape`,
  `%%train $model --data $batches --steps 5 --lr 0.01`,
  `%backend`,
];

function writeNotebook(file: string): void {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "seqlab", display_name: "TypeScript (seqlab)", language: "typescript" } },
    cells: USER_CELLS.map((source, i) => ({ id: `c${i}`, cell_type: "code", metadata: {}, source, outputs: [], execution_count: null })),
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(nb, null, 1));
}

/** The executed user notebook: no errors, wasm without asking, one tfjs, mixed layers, training. */
function checkExecuted(file: string, expectTfjs: string): void {
  const nb = readNotebookFile(file);
  const errors = errorOutputs(nb);
  expect(errors, JSON.stringify(errors)).to.deep.equal([]);
  const cells = codeCells(nb);
  expect(cellText(cells[0])).to.contain(`backend wasm; one tfjs: true; tfjs ${expectTfjs}`);
  expect(cellText(cells[0])).not.to.contain("Hi, looks like you are running TensorFlow.js");
  expect(cellText(cells[1])).to.contain("[ 2, 12, ");
  expect(cellText(cells[2])).to.match(/trained steps 1–5: loss \d/);
  expect(cellText(cells[3])).to.contain("TensorFlow.js backend: wasm").and.contain("seqlab SIMD kernels: WebAssembly SIMD kernels with fused multiply-add");
}

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("seqlab as users install it (npm pack, installed outside the checkout)", function () {
  this.timeout(900000);
  let tmp: string;
  let tarball: string;
  let python: string | null;

  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-package-"));
    // The checkout is built already (tests run from dist/); pack what a release would ship.
    const packed = npm(["pack", "--ignore-scripts", "--pack-destination", tmp], repoRoot).trim().split("\n").pop()!;
    tarball = path.join(tmp, packed);
    python = pythonWith(["nbconvert", "nbclient"]);
  });

  after(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

  it("ships the library, the kernel and the notebooks, but no tests or benchmarks", () => {
    const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
    expect(files).to.include("package/dist/lib/index.js");
    expect(files).to.include("package/dist/kernel/cli.js");
    expect(files).to.include("package/dist/lib/simd/recurrence.wasm");
    expect(files).to.include("package/dist/lib/simd/recurrence.relaxed.wasm");
    expect(files).to.include("package/notebooks/lab1-music-generation.ipynb");
    expect(files.filter((f) => f.startsWith("package/dist/test/") || f.startsWith("package/dist/bench/"))).to.deep.equal([]);
  });

  /** Runs the user notebook in `folder` with `seqlab` (the installed bin), then through nbconvert with its kernelspec. */
  async function runBothWays(seqlab: string, folder: string, expectTfjs: string): Promise<void> {
    const notebook = path.join(folder, "mine.ipynb");
    writeNotebook(notebook);
    const run = await runCommand(seqlab, ["run", notebook, "--out", path.join(folder, "out")], { env: process.env, cwd: folder, timeoutMs: 240000 });
    expect(run.code, run.output).to.equal(0);
    checkExecuted(path.join(folder, "out", "mine.ipynb"), expectTfjs);

    if (!python) {
      if (process.env.CI) throw new Error("CI needs python3 with nbconvert and nbclient for this test");
      console.log("      (nbconvert part skipped: no python3 with nbconvert and nbclient)");
      return;
    }
    const jupyter = fs.mkdtempSync(path.join(tmp, "jupyter-"));
    const env = { ...process.env, JUPYTER_PATH: path.join(jupyter, "share", "jupyter"), JUPYTER_DATA_DIR: path.join(jupyter, "data"), JUPYTER_RUNTIME_DIR: path.join(jupyter, "runtime") };
    execFileSync(seqlab, ["install", "--prefix", jupyter], { env, stdio: "pipe" });
    const converted = await runCommand(
      python,
      ["-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=200", "--output", "mine.nbconvert.ipynb", notebook],
      { env, cwd: folder, timeoutMs: 300000 },
    );
    expect(converted.code, converted.output).to.equal(0);
    checkExecuted(path.join(folder, "mine.nbconvert.ipynb"), expectTfjs);
  }

  it("installed into a project beside the project's own @tensorflow/tfjs of another minor version: one tfjs, the project's", async () => {
    const project = path.join(tmp, "project");
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "my-project", private: true }));
    // An exact older minor, so npm cannot share one copy with seqlab's ^4.22: two trees on disk.
    npm(["install", "--save-exact", "@tensorflow/tfjs@4.21.0"], project);
    npm(["install", tarball], project);
    expect(fs.existsSync(path.join(project, "node_modules", "seqlab", "node_modules", "@tensorflow", "tfjs"))).to.equal(true);
    await runBothWays(path.join(project, "node_modules", ".bin", "seqlab"), path.join(project, "notebooks"), "4.21.0");
  });

  it("installed globally: notebooks run from a bare folder with no node_modules", async () => {
    const prefix = path.join(tmp, "global");
    npm(["install", "--global", "--prefix", prefix, tarball], tmp);
    const bare = path.join(tmp, "bare", "my notebooks");
    fs.mkdirSync(bare, { recursive: true });
    await runBothWays(path.join(prefix, "bin", "seqlab"), bare, "4.22.0");
  });

  it("installed globally: completion and inspection on sl. and tf. in a bare folder", async () => {
    const prefix = path.join(tmp, "global");
    const seqlab = path.join(prefix, "bin", "seqlab");
    if (!fs.existsSync(seqlab)) npm(["install", "--global", "--prefix", prefix, tarball], tmp);
    const bare = fs.mkdtempSync(path.join(tmp, "bare-"));
    const cli = fs.realpathSync(seqlab);
    const { kernel } = await KernelProcess.launch({ argv: [process.execPath, cli, "kernel", "--connection-file", "{connection_file}"], cwd: bare });
    try {
      const setup = await kernel.client.execute(`import * as sl from "seqlab";\nimport * as tf from "@tensorflow/tfjs";`);
      expect(setup.reply.content.status, JSON.stringify(setup.reply.content)).to.equal("ok");
      const complete = async (code: string) =>
        (await kernel.client.request("shell", "complete_request", { code, cursor_pos: code.length })).content.matches as string[];
      expect(await complete("sl.build")).to.include.members(["buildLabModel"]);
      expect(await complete("tf.layers.ls")).to.include("lstm");
      const code = "sl.buildLabModel";
      const inspected = await kernel.client.request("shell", "inspect_request", { code, cursor_pos: code.length, detail_level: 0 });
      expect(inspected.content.found).to.equal(true);
      expect(String((inspected.content.data as Record<string, string>)["text/plain"])).to.match(/buildLabModel\(options: (sl\.)?LabModelOptions\)/);
      // TypeScript 7 came with the package (an npm alias of typescript@7) and checks the cells:
      // TypeScript 5 rejects a cell's `declare global`.
      const installed = require.resolve("typescript-7/package.json", { paths: [path.dirname(cli)] });
      expect(installed.startsWith(prefix), installed).to.equal(true);
      expect(JSON.parse(fs.readFileSync(installed, "utf8"))).to.include({ name: "typescript" });
      const global = await kernel.client.execute("declare global { var fromCell: number }\nglobalThis.fromCell = 7;\nfromCell");
      expect(global.reply.content.status, JSON.stringify(global.reply.content)).to.equal("ok");
      expect(kernel.log).to.not.contain("TypeScript 7 is not installed");
    } finally {
      await kernel.shutdown();
    }
  });

  it("seqlab notebooks DIR copies the lecture notebooks, which then run from there", async () => {
    const prefix = path.join(tmp, "global");
    const seqlab = path.join(prefix, "bin", "seqlab");
    if (!fs.existsSync(seqlab)) npm(["install", "--global", "--prefix", prefix, tarball], tmp);
    const dir = path.join(tmp, "course");
    const copied = await runCommand(seqlab, ["notebooks", dir], { env: process.env, cwd: tmp, timeoutMs: 60000 });
    expect(copied.code, copied.output).to.equal(0);
    const shipped = fs.readdirSync(path.join(repoRoot, "notebooks")).filter((n) => n.endsWith(".ipynb")).sort();
    expect(fs.readdirSync(dir).sort()).to.deep.equal(shipped);
    // A second copy keeps what is there (a student's edits) unless asked.
    fs.writeFileSync(path.join(dir, "01-sequences.ipynb"), "{}");
    const again = await runCommand(seqlab, ["notebooks", dir], { env: process.env, cwd: tmp, timeoutMs: 60000 });
    expect(again.output).to.contain("kept");
    expect(fs.readFileSync(path.join(dir, "01-sequences.ipynb"), "utf8")).to.equal("{}");
    const env = { ...process.env, SEQLAB_DATA_DIR: process.env.SEQLAB_DATA_DIR ?? path.resolve(repoRoot, "..", "shared", "data") };
    const run = await runCommand(seqlab, ["run", path.join(dir, "02-recurrence.ipynb"), "--quick", "--out", path.join(dir, "out")], { env, cwd: dir, timeoutMs: 300000 });
    expect(run.code, run.output).to.equal(0);
  });
});
