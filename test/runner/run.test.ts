import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { readNotebook, writeNotebook, type CodeCell } from "../../kernel/runner/notebook";
import { runNotebook } from "../../kernel/runner/run-notebook";
import { code, JS_ENGINE, JS_KERNEL_ARGV, markdown, newMarker, notebook, processesWithMarker, runCli, tempDir } from "./helpers";

const JS_KERNEL = JSON.stringify(JS_KERNEL_ARGV);

function codeCells(nb: { cells: { cell_type: string }[] }): CodeCell[] {
  return nb.cells.filter((c): c is CodeCell => c.cell_type === "code");
}

describe("runner: executing notebooks (JavaScript test engine)", function () {
  this.timeout(60000);
  before(function () {
    if (!fs.existsSync(JS_ENGINE)) this.skip();
  });

  it("stores outputs in order, with execution counts and updated displays", async () => {
    const nb = notebook([
      markdown("# A test"),
      code('console.log("one"); console.log("two"); console.error("warn"); console.log("three")'),
      code("6 * 7"),
      code('display({"text/plain": "0%"}, "bar"); console.log("between"); display({"text/plain": "50%"}, "bar", true); display({"text/plain": "100%"}, "bar", true)'),
      code('console.log("old"); clearOutput(true); console.log("new")'),
      code('display({"text/plain": "later"}, "bar", true)'),
    ]);
    const run = await runNotebook(nb, { kernelArgv: JS_KERNEL_ARGV });
    expect(run.failure).to.equal(undefined);
    const cells = codeCells(run.notebook);
    expect(cells.map((c) => c.execution_count)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(cells[0].outputs).to.deep.equal([
      { output_type: "stream", name: "stdout", text: "one\ntwo\n" },
      { output_type: "stream", name: "stderr", text: "warn\n" },
      { output_type: "stream", name: "stdout", text: "three\n" },
    ]);
    expect(cells[1].outputs).to.deep.equal([{ output_type: "execute_result", execution_count: 2, data: { "text/plain": "42" }, metadata: {} }]);
    // the display was replaced in place, also by the later cell; no outputs were added
    expect(cells[2].outputs).to.deep.equal([
      { output_type: "display_data", data: { "text/plain": "later" }, metadata: {} },
      { output_type: "stream", name: "stdout", text: "between\n" },
    ]);
    expect(cells[3].outputs).to.deep.equal([{ output_type: "stream", name: "stdout", text: "new\n" }]);
    expect(cells[4].outputs).to.deep.equal([]);
    // as nbclient does: when the kernel said what, and the kernel's language
    const timing = cells[0].metadata.execution as Record<string, string>;
    expect(Object.keys(timing).sort()).to.deep.equal(["iopub.execute_input", "iopub.status.busy", "iopub.status.idle", "shell.execute_reply"]);
    for (const date of Object.values(timing)) expect(Number.isNaN(Date.parse(date))).to.equal(false);
    expect((run.notebook.metadata.language_info as { name: string }).name).to.equal("javascript");
  });

  it("stops at the first failing cell and reports its error", async () => {
    const nb = notebook([code('console.log("ok")'), code('throw new Error("no such thing")'), code('console.log("never")')]);
    const run = await runNotebook(nb, { kernelArgv: JS_KERNEL_ARGV });
    expect(run.failure).to.include({ index: 2, total: 3, ename: "Error", evalue: "no such thing" });
    const cells = codeCells(run.notebook);
    expect(cells[1].outputs).to.deep.equal([{ output_type: "error", ename: "Error", evalue: "no such thing", traceback: ["Error: no such thing"] }]);
    expect(cells[2].execution_count).to.equal(null);
    expect(cells[2].outputs).to.deep.equal([]);
  });

  it("fails a cell that outlives --timeout, and the kernel still shuts down", async () => {
    const nb = notebook([code("new Promise(() => {})"), code('console.log("never")')]);
    const run = await runNotebook(nb, { kernelArgv: JS_KERNEL_ARGV, timeoutSeconds: 1 });
    expect(run.failure?.ename).to.equal("CellTimeoutError");
    expect(run.failure?.index).to.equal(1);
  });

  it("says why when the kernel does not start, quoting what it printed", async () => {
    const broken = [process.execPath, "-e", "console.error('no engine here'); process.exit(3)", "{connection_file}"];
    let error: Error | undefined;
    try {
      await runNotebook(notebook([code("1")]), { kernelArgv: broken });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.match(/the kernel process exited \(code 3\)/).and.match(/no engine here/);
  });

  it("seqlab run: writes the executed notebook, injects parameters, sets SEQLAB_QUICK and writes HTML", async () => {
    const dir = tempDir();
    const file = path.join(dir, "params.ipynb");
    writeNotebook(file, notebook([
      markdown("Some **bold** words"),
      code('var quick = process.env.SEQLAB_QUICK === "1"; var n = quick ? 3 : 1000; var label = "default";', ["parameters"]),
      code('console.log(`n=${n} label=${label}`); display({"text/html": "<i>html out</i>", "text/plain": "plain"})'),
    ]));
    // the JS engine's context has no `process`; give it one through a first cell
    const nb = readNotebook(file);
    nb.cells.splice(1, 0, code('var process = { env: { SEQLAB_QUICK: "1" } };'));
    writeNotebook(file, nb);
    const out = path.join(dir, "out");
    const res = await runCli(["run", file, "--param", "label=from cli", "--out", out, "--html"], { SEQLAB_RUN_KERNEL: JS_KERNEL });
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stderr).to.match(/\[1\/4\]/).and.match(/\[4\/4\]/).and.match(/injected parameters/);
    const executed = readNotebook(path.join(out, "params.ipynb"));
    const cells = codeCells(executed);
    expect(cells).to.have.length(4);
    expect(cells[2].metadata.tags).to.deep.equal(["injected-parameters"]);
    expect(cells[2].source).to.contain('label = "from cli";');
    expect(cells[3].outputs[0]).to.deep.equal({ output_type: "stream", name: "stdout", text: "n=3 label=from cli\n" });
    const html = fs.readFileSync(path.join(out, "params.html"), "utf8");
    expect(html).to.contain("<strong>bold</strong>").and.contain("<i>html out</i>").and.contain("n=3 label=from cli");
  });

  it("seqlab run: a failing cell exits non-zero and prints the cell and its error; no kernel is left behind", async () => {
    const dir = tempDir();
    const file = path.join(dir, "fails.ipynb");
    writeNotebook(file, notebook([code('console.log("fine")'), code('var marker = "unique-source-line";\nthrow new RangeError("value out of range")')]));
    const marker = newMarker();
    const res = await runCli(["run", file, "--out", dir], { SEQLAB_RUN_KERNEL: JS_KERNEL, SEQLAB_TEST_MARKER: marker });
    expect(res.code).to.equal(1);
    expect(res.stderr).to.contain("cell 2/2 failed").and.contain('var marker = "unique-source-line";').and.contain("RangeError: value out of range");
    // the partial result is still written, with the error in place
    const cells = codeCells(readNotebook(path.join(dir, "fails.ipynb")));
    expect(cells[1].outputs[0].output_type).to.equal("error");
    expect(processesWithMarker(marker)).to.deep.equal([]);
  });

  it("seqlab run: runs every notebook, reports each and a summary, and exits 1 when any failed", async () => {
    const dir = tempDir();
    const files = ["a", "b", "c"].map((name) => path.join(dir, `${name}.ipynb`));
    writeNotebook(files[0], notebook([code('console.log("a ran")')]));
    writeNotebook(files[1], notebook([code('throw new Error("b breaks")')]));
    writeNotebook(files[2], notebook([code('console.log("c ran")')]));
    const out = path.join(dir, "out");
    const res = await runCli(["run", ...files, "--out", out], { SEQLAB_RUN_KERNEL: JS_KERNEL });
    expect(res.code).to.equal(1);
    expect(res.stderr).to.contain("b.ipynb: cell 1/1 failed").and.contain("3 notebooks: 2 passed, 1 failed");
    expect(codeCells(readNotebook(path.join(out, "c.ipynb")))[0].outputs).to.deep.equal([{ output_type: "stream", name: "stdout", text: "c ran\n" }]);
  });

  it("an error in a cell tagged raises-exception is expected: the run goes on and passes", async () => {
    const nb = notebook([code('throw new TypeError("shown on purpose")', ["raises-exception"]), code('console.log("after")')]);
    const run = await runNotebook(nb, { kernelArgv: JS_KERNEL_ARGV });
    expect(run.failure).to.equal(undefined);
    const cells = codeCells(run.notebook);
    expect(cells[0].outputs[0]).to.include({ output_type: "error", ename: "TypeError", evalue: "shown on purpose" });
    expect(cells[1].outputs).to.deep.equal([{ output_type: "stream", name: "stdout", text: "after\n" }]);
  });

  it("seqlab run: each notebook's kernel starts in its own folder; two with the same name are refused", async () => {
    const dir = tempDir();
    const files = ["one", "two"].map((sub) => path.join(dir, sub, `${sub}.ipynb`));
    for (const file of files) {
      fs.mkdirSync(path.dirname(file));
      writeNotebook(file, notebook([code('require("process").cwd()')]));
    }
    const out = path.join(dir, "out");
    const res = await runCli(["run", ...files, "--out", out], { SEQLAB_RUN_KERNEL: JS_KERNEL }, dir);
    expect(res.code, res.stderr).to.equal(0);
    for (const file of files) {
      const result = codeCells(readNotebook(path.join(out, path.basename(file))))[0].outputs[0] as { data: Record<string, string> };
      expect(result.data["text/plain"]).to.contain(path.dirname(file));
    }
    const twin = path.join(dir, "two", "one.ipynb");
    fs.copyFileSync(files[0], twin);
    const clash = await runCli(["run", files[0], twin, "--out", out], { SEQLAB_RUN_KERNEL: JS_KERNEL });
    expect(clash.code).to.equal(2);
    expect(clash.stderr).to.contain("would both be written to");
  });

  it("seqlab run: kernels are gone after a successful run too", async () => {
    const dir = tempDir();
    const file = path.join(dir, "ok.ipynb");
    writeNotebook(file, notebook([code("1 + 1")]));
    const marker = newMarker();
    const res = await runCli(["run", file, "--out", dir], { SEQLAB_RUN_KERNEL: JS_KERNEL, SEQLAB_TEST_MARKER: marker });
    expect(res.code, res.stderr).to.equal(0);
    expect(processesWithMarker(marker)).to.deep.equal([]);
  });

  it("seqlab run: --help, bad options and unreadable notebooks", async () => {
    const help = await runCli(["run", "--help"]);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.contain("Usage: seqlab run NOTEBOOK...").and.contain("--param");
    const bad = await runCli(["run", "x.ipynb", "--frobnicate"]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain("unknown option --frobnicate");
    const missing = await runCli(["run", "/nonexistent/x.ipynb"]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain("cannot read /nonexistent/x.ipynb");
  });
});

describe("runner: Ctrl-C", function () {
  this.timeout(60000);
  before(function () {
    if (!fs.existsSync(JS_ENGINE)) this.skip();
  });

  it("interrupts the running cell, writes what ran, exits 130 and leaves no kernel", async () => {
    const { spawn } = await import("child_process");
    const { CLI } = await import("./helpers");
    const dir = tempDir();
    const file = path.join(dir, "forever.ipynb");
    writeNotebook(file, notebook([code('console.log("started")'), code("new Promise(() => {})"), code('console.log("never")')]));
    const marker = newMarker();
    const child = spawn(process.execPath, [CLI, "run", file, "--out", dir], { env: { ...process.env, SEQLAB_RUN_KERNEL: JS_KERNEL, SEQLAB_TEST_MARKER: marker }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
    await new Promise<void>((resolve) => child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes("[2/3]")) resolve();
    }));
    await new Promise((r) => setTimeout(r, 300)); // let the cell reach the kernel
    // the CLI and its kernel carry the marker while they run (so the check below can see leftovers)
    expect(processesWithMarker(marker).length).to.be.at.least(2);
    child.kill("SIGINT");
    expect(await closed).to.equal(130);
    expect(stderr).to.contain("interrupted");
    const cells = codeCells(readNotebook(path.join(dir, "forever.ipynb")));
    expect(cells[0].outputs).to.deep.equal([{ output_type: "stream", name: "stdout", text: "started\n" }]);
    expect(cells[2].execution_count).to.equal(null);
    expect(processesWithMarker(marker)).to.deep.equal([]);
  });
});
