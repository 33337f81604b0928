/**
 * The notebooks in notebooks/: committed clean, and the Lab 1 Part 2 notebook runs end to end
 * in quick mode, through `seqlab run` and through Jupyter's own nbconvert.
 */
import { expect } from "chai";
import { execFile, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseNotebook, type CodeCell, type Notebook } from "../../kernel/runner/notebook";
import { CLI, REPO_ROOT, runCli, tempDir } from "../runner/helpers";

const NOTEBOOKS = path.join(REPO_ROOT, "notebooks");
const LAB1 = path.join(NOTEBOOKS, "lab1-music-generation.ipynb");

function codeCells(nb: Notebook): CodeCell[] {
  return nb.cells.filter((c): c is CodeCell => c.cell_type === "code");
}

/** All the text a cell printed or displayed as text/plain. */
function cellText(cell: CodeCell): string {
  return cell.outputs
    .map((o) => (o.output_type === "stream" ? o.text : o.output_type === "error" ? `${o.ename}: ${o.evalue}` : String(o.data["text/plain"] ?? "")))
    .join("");
}

/** What an executed lab notebook must show: no errors, every claim held, the key numbers. */
function checkExecutedLab(nb: Notebook): void {
  const cells = codeCells(nb);
  const errors = cells.flatMap((c) => c.outputs.filter((o) => o.output_type === "error"));
  expect(errors, JSON.stringify(errors).slice(0, 2000)).to.deep.equal([]);
  expect(cells.every((c) => c.execution_count !== null)).to.equal(true);
  const text = cells.map(cellText).join("");
  expect(text).not.to.contain("✘");
  expect(text).to.contain("✔ songs in the corpus (the lab finds 817): 817");
  expect(text).to.contain("✔ distinct characters (the lab's vocabulary has 83): 83");
  expect(text).to.match(/✔ untrained loss, close to ln\(83\) = 4\.419: 4\.4\d\d/);
  expect(text).to.match(/✔ mean loss over the last 10 iterations/);
  expect(text).to.match(/✔ valid generated tunes, at least \d+: \d+/);
  // the live loss plot was redrawn in place: one figure, holding every iteration at the end
  const trainingCell = cells.find((c) => c.source.includes("sl.trainModel("))!;
  const figures = trainingCell.outputs.filter((o) => "data" in o && o.data["application/vnd.plotly.v1+json"] !== undefined);
  expect(figures).to.have.length(1);
  const iterations = Number(/trained: (\d+)/.exec(cellText(trainingCell))?.[1]);
  const plotted = (figures[0] as { data: Record<string, { data: { x: unknown[] }[] }> }).data["application/vnd.plotly.v1+json"].data[0].x;
  expect(plotted).to.have.length(iterations);
  // the sheet music of the generated tunes came out as rich output
  const rich = cells.flatMap((c) => c.outputs).filter((o) => o.output_type === "display_data" || o.output_type === "execute_result");
  expect(rich.some((o) => "data" in o && String(o.data["text/html"] ?? o.data["image/svg+xml"] ?? "").includes("<svg"))).to.equal(true);
}

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => fs.existsSync(p));

/** The page's DOM after headless Chromium ran its scripts, with every host name unresolvable. */
function renderedDom(file: string): Promise<string> {
  const args = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1000,1000", "--virtual-time-budget=15000",
    "--dump-dom", `file://${file}`,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM!, args, { timeout: 120000, maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

function jupyterAvailable(): boolean {
  try {
    execFileSync("jupyter", ["nbconvert", "--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("notebooks", function () {
  it("are committed clean: nbformat 4 JSON with no outputs, execution counts or timings, for the seqlab kernel", () => {
    const files = fs.readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb"));
    expect(files).to.include("lab1-music-generation.ipynb");
    for (const file of files) {
      const nb = parseNotebook(fs.readFileSync(path.join(NOTEBOOKS, file), "utf8"), file);
      for (const cell of codeCells(nb)) {
        expect(cell.outputs, `${file}: a cell has outputs`).to.deep.equal([]);
        expect(cell.execution_count, `${file}: a cell has an execution count`).to.equal(null);
        expect(cell.metadata.execution, `${file}: a cell has run timings`).to.equal(undefined);
      }
      expect((nb.metadata.kernelspec as { name?: string } | undefined)?.name, file).to.equal("seqlab");
    }
  });

  it("the lab notebook has one parameters cell, read by quick mode", () => {
    const nb = parseNotebook(fs.readFileSync(LAB1, "utf8"));
    const params = codeCells(nb).filter((c) => c.metadata.tags?.includes("parameters"));
    expect(params).to.have.length(1);
    expect(params[0].source).to.contain('process.env.SEQLAB_QUICK === "1"');
  });
});

describe("notebooks: Lab 1 Part 2 in quick mode", function () {
  this.timeout(15 * 60 * 1000);

  it("runs through `seqlab run --quick --html` with every claim holding", async () => {
    const out = tempDir("seqlab-lab1-");
    const res = await runCli(["run", LAB1, "--quick", "--out", out, "--html"]);
    expect(res.code, res.stderr.slice(-4000)).to.equal(0);
    const executed = parseNotebook(fs.readFileSync(path.join(out, "lab1-music-generation.ipynb"), "utf8"));
    checkExecutedLab(executed);
    const page = path.join(out, "lab1-music-generation.html");
    const html = fs.readFileSync(page, "utf8");
    expect(html).to.contain("Music generation with an LSTM").and.contain("<svg").and.contain("songs in the corpus");
    if (CHROMIUM) {
      // Viewed with no network at all, every plotly figure of the run is drawn and the players are there.
      const figures = codeCells(executed).flatMap((c) => c.outputs).filter((o) => "data" in o && o.data["application/vnd.plotly.v1+json"] !== undefined);
      const dom = await renderedDom(page);
      expect((dom.match(/class="[^"]*js-plotly-plot/g) ?? []).length).to.equal(figures.length);
      expect(dom).to.contain("<audio");
    } else {
      console.log("      (page not viewed: chromium is not installed)");
    }
  });

  it("runs under Jupyter: nbconvert --execute with the seqlab kernelspec", async function () {
    if (!jupyterAvailable()) {
      console.log("      (skipped: `jupyter nbconvert` is not installed)");
      this.skip();
    }
    const dataDir = tempDir("seqlab-jupyter-data-");
    const out = tempDir("seqlab-nbconvert-");
    const env = { ...process.env, JUPYTER_DATA_DIR: dataDir, SEQLAB_QUICK: "1" };
    execFileSync(process.execPath, [CLI, "install", "--user"], { env });
    expect(fs.existsSync(path.join(dataDir, "kernels", "seqlab", "kernel.json"))).to.equal(true);
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        "jupyter",
        ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=seqlab", "--ExecutePreprocessor.timeout=900", "--output-dir", out, LAB1],
        { env, stdio: ["ignore", "ignore", "pipe"] },
      );
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      child.once("error", reject);
      child.once("close", (c) => (c === 0 ? resolve(c) : reject(new Error(`nbconvert exited with ${c}:\n${stderr}`))));
    });
    expect(code).to.equal(0);
    checkExecutedLab(parseNotebook(fs.readFileSync(path.join(out, "lab1-music-generation.ipynb"), "utf8")));
  });
});
