/**
 * Running a notebook the ways users do, for the notebook tests: `seqlab run --quick`, Jupyter's
 * `nbconvert --execute` with the seqlab kernelspec in a throwaway Jupyter home, and looking at
 * an exported page in headless Chromium with no network.
 */
import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { Notebook } from "../../kernel/runner/notebook";
import { makeJupyterHome, pythonWith, runCommand } from "../jupyter/python";
import { runCli } from "../runner/helpers";
import { readNotebookFile } from "./executed";

/**
 * `seqlab run NOTEBOOK --quick --out OUT_DIR [extra]`, which must exit 0; resolves with the
 * executed copy it wrote into outDir.
 */
export async function runQuick(notebook: string, outDir: string, extra: string[] = []): Promise<Notebook> {
  const res = await runCli(["run", notebook, "--quick", "--out", outDir, ...extra]);
  expect(res.code, `seqlab run ${path.basename(notebook)}:\n${res.stderr.slice(-4000)}${res.stdout.slice(-2000)}`).to.equal(0);
  return readNotebookFile(path.join(outDir, path.basename(notebook)));
}

/** The python that runs nbconvert, and a Jupyter home holding only our kernelspecs. */
export interface Jupyter {
  python: string;
  home: ReturnType<typeof makeJupyterHome>;
}

export const JUPYTER_MISSING = "jupyter is absent: no python3 with nbconvert and nbclient; apt-get install jupyter-nbconvert python3-nbclient";

/**
 * Registers before/after hooks on the enclosing describe: find nbconvert (skipping the suite
 * with a message when it is absent), install the seqlab kernelspec into a temporary Jupyter
 * home, and remove that home afterwards. Returns a getter for the tests.
 */
export function jupyterForSuite(): () => Jupyter {
  let jupyter: Jupyter | undefined;
  before(function () {
    const python = pythonWith(["nbconvert", "nbclient"]);
    if (!python) {
      console.log(`    (skipped: ${JUPYTER_MISSING})`);
      this.skip();
    }
    const home = makeJupyterHome();
    jupyter = { python: python!, home };
    const spec = path.join(home.dir, "data", "kernels", "seqlab", "kernel.json");
    expect(fs.existsSync(spec), `seqlab install wrote no kernelspec at ${spec}`).to.equal(true);
  });
  after(() => {
    if (jupyter) fs.rmSync(jupyter.home.dir, { recursive: true, force: true });
  });
  return () => {
    if (!jupyter) throw new Error("the Jupyter home was not set up (its before hook did not run)");
    return jupyter;
  };
}

export interface NbconvertOptions {
  /** Where the executed copy goes. */
  outDir: string;
  /** Its file name without .ipynb (default: the notebook's own name). */
  output?: string;
  /** Environment on top of the Jupyter home's (e.g. SEQLAB_QUICK=1). */
  env?: NodeJS.ProcessEnv;
  /** nbconvert's limit for one cell, in seconds. */
  cellTimeoutS: number;
  /** Limit for the whole nbconvert process, in milliseconds. */
  timeoutMs: number;
}

/**
 * `nbconvert --to notebook --execute` with the seqlab kernel, run beside the notebook as
 * Jupyter does (so `import "seqlab"` resolves from this checkout); must exit 0. Resolves with
 * the executed copy and its path.
 */
export async function executeWithNbconvert(jupyter: Jupyter, notebook: string, options: NbconvertOptions): Promise<{ notebook: Notebook; file: string }> {
  const name = options.output ?? path.basename(notebook, ".ipynb");
  const { code, output } = await runCommand(
    jupyter.python,
    [
      "-m", "nbconvert", "--to", "notebook", "--execute",
      "--ExecutePreprocessor.kernel_name=seqlab", `--ExecutePreprocessor.timeout=${options.cellTimeoutS}`,
      "--output-dir", options.outDir, "--output", name, notebook,
    ],
    { env: { ...jupyter.home.env, ...options.env }, cwd: path.dirname(notebook), timeoutMs: options.timeoutMs },
  );
  expect(code, `nbconvert --execute ${path.basename(notebook)}:\n${output.slice(-4000)}`).to.equal(0);
  const file = path.join(options.outDir, `${name}.ipynb`);
  return { notebook: readNotebookFile(file), file };
}

/** `nbconvert --to html` of an executed notebook into outDir/NAME.html; resolves with that path. */
export async function exportHtml(jupyter: Jupyter, executed: string, outDir: string, name: string): Promise<string> {
  const { code, output } = await runCommand(jupyter.python, ["-m", "nbconvert", "--to", "html", "--output-dir", outDir, "--output", name, executed], {
    env: jupyter.home.env,
    cwd: path.dirname(executed),
    timeoutMs: 180000,
  });
  expect(code, `nbconvert --to html:\n${output.slice(-3000)}`).to.equal(0);
  return path.join(outDir, `${name}.html`);
}

/** The Chromium binary, or undefined when none is installed. */
export const CHROMIUM: string | undefined = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => fs.existsSync(p));

/** The page's DOM after headless Chromium ran its scripts, with every host name unresolvable. */
export function renderedDom(file: string): Promise<string> {
  if (!CHROMIUM) return Promise.reject(new Error("no Chromium installed; apt-get install chromium"));
  const args = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1000,1000", "--virtual-time-budget=15000",
    "--dump-dom", `file://${file}`,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, args, { timeout: 120000, maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}
