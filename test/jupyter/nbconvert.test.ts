/**
 * `jupyter nbconvert --to notebook --execute` (nbclient driving the kernel through
 * jupyter_client, as Notebook and Lab do) on a small notebook; checks the stored outputs.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { engineBuilt } from "../kernel/helpers";
import { makeJupyterHome, pythonWith, runCommand } from "./python";

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  execution_count?: number;
  ename?: string;
}
interface Cell {
  cell_type: string;
  source: string;
  outputs?: Output[];
  execution_count?: number | null;
}

const join = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join("") : v ?? "");

function notebook(kernelName: string, language: string, sources: string[]): object {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: kernelName, display_name: kernelName, language } },
    cells: sources.map((source, i) => ({ id: `cell-${i}`, cell_type: "code", metadata: {}, source, outputs: [], execution_count: null })),
  };
}

describe("nbconvert --execute through the installed kernelspec", function () {
  this.timeout(240000);
  let python: string | null;
  let home: ReturnType<typeof makeJupyterHome>;

  before(function () {
    python = pythonWith(["nbconvert", "nbclient"]);
    if (!python) {
      console.log("    (skipped: no python3 with nbconvert and nbclient; apt-get install jupyter-nbconvert python3-nbclient)");
      this.skip();
    }
    home = makeJupyterHome();
  });

  after(() => home && fs.rmSync(home.dir, { recursive: true, force: true }));

  async function execute(kernelName: string, language: string, sources: string[]): Promise<Cell[]> {
    const input = path.join(home.dir, `${kernelName}.ipynb`);
    fs.writeFileSync(input, JSON.stringify(notebook(kernelName, language, sources), null, 1));
    const { code, output } = await runCommand(
      python!,
      ["-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=120", "--output", `${kernelName}.out.ipynb`, input],
      { env: home.env, cwd: home.dir, timeoutMs: 200000 },
    );
    expect(code, output).to.equal(0);
    return (JSON.parse(fs.readFileSync(path.join(home.dir, `${kernelName}.out.ipynb`), "utf8")) as { cells: Cell[] }).cells;
  }

  it("stores streams, results and displays for the JS test engine", async function () {
    const cells = await execute("seqlab-js-test", "javascript", ['console.log("from stdout")', "var n = 20; n + 1", 'display({"text/html": "<i>shown</i>", "text/plain": "shown"})']);
    expect(cells[0].outputs!.map((o) => [o.output_type, o.name, join(o.text)])).to.deep.equal([["stream", "stdout", "from stdout\n"]]);
    expect(cells[1].execution_count).to.equal(2);
    expect(join(cells[1].outputs![0].data!["text/plain"])).to.equal("21");
    expect(cells[2].outputs![0].output_type).to.equal("display_data");
    expect(join(cells[2].outputs![0].data!["text/html"])).to.equal("<i>shown</i>");
  });

  it("runs TypeScript and magics in the seqlab kernel and stores their outputs", async function () {
    if (!engineBuilt()) throw new Error("dist/kernel/engine/index.js is missing: build the engine (npm run build)");
    const cells = await execute("seqlab", "typescript", [
      "const xs: number[] = [1, 2, 3];\nconsole.log(xs.length);",
      "xs.map((x) => x * 2).reduce((a, b) => a + b, 0)",
      "%lsmagic",
      "%%html\n<b>bold text</b>",
      'display(display.markdown("**md**"))',
    ]);
    expect(cells.map((c) => c.execution_count)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(cells[0].outputs!.map((o) => [o.output_type, o.name, join(o.text)])).to.deep.equal([["stream", "stdout", "3\n"]]);
    const result = cells[1].outputs![0];
    expect(result.output_type).to.equal("execute_result");
    expect(join(result.data!["text/plain"])).to.equal("12");
    const lsmagic = cells[2].outputs!.map((o) => join(o.text) + join(o.data?.["text/plain"])).join("");
    expect(lsmagic).to.contain("%lsmagic").and.contain("%%html");
    const html = cells[3].outputs!.find((o) => o.data?.["text/html"]);
    expect(join(html?.data?.["text/html"])).to.contain("<b>bold text</b>");
    expect(join(cells[4].outputs![0].data!["text/markdown"])).to.equal("**md**");
    for (const cell of cells) expect(cell.outputs!.filter((o) => o.output_type === "error")).to.deep.equal([]);
  });
});
