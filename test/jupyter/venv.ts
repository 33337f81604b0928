/**
 * The pinned Jupyter environment the tests talk to: the virtual environment `.ci/run` makes
 * in `.venv/` from `.ci/requirements.txt` (or the one SEQLAB_JUPYTER_VENV names). Tests that
 * need it fail with a clear message in CI (CI=true) and skip, saying why, elsewhere.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../kernel/helpers";

export const requirementsFile = path.join(repoRoot, ".ci", "requirements.txt");

/** The packages whose versions the tests print and check against the pins. */
const REPORTED = ["jupyterlab", "notebook", "jupyter_server", "jupyter_client", "nbclient", "nbconvert", "papermill", "jupyter_kernel_test", "ipywidgets", "plotly", "jupyterhub"];

export interface JupyterVenv {
  dir: string;
  bin: string;
  python: string;
  /** Installed versions of the REPORTED packages. */
  versions: Record<string, string>;
  /** `base` with the venv's bin/ first on PATH and VIRTUAL_ENV set, as `activate` does. */
  env(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}

const normalize = (name: string) => name.toLowerCase().replace(/[-_.]+/g, "_");

/** name -> version for every `name==version` line of the requirements file. */
export function pinnedVersions(file = requirementsFile): Record<string, string> {
  const pins: Record<string, string> = {};
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Za-z0-9_.-]+)==([^\s;#]+)/.exec(line.trim());
    if (m) pins[normalize(m[1])] = m[2];
  }
  return pins;
}

let found: JupyterVenv | Error | undefined;

/** The venv, or an Error saying what is missing or out of date and how to fix it. */
export function findJupyterVenv(): JupyterVenv | Error {
  if (found) return found;
  const dir = path.resolve(process.env.SEQLAB_JUPYTER_VENV ?? path.join(repoRoot, ".venv"));
  const bin = path.join(dir, "bin");
  const python = path.join(bin, "python");
  const fix = `create it with: python3 -m venv ${dir} && ${path.join(bin, "pip")} install -r .ci/requirements.txt (as .ci/run does)`;
  if (!fs.existsSync(python)) return (found = new Error(`no Python virtual environment at ${dir}; ${fix}`));
  let versions: Record<string, string>;
  try {
    const script = `import json, importlib.metadata as m\nprint(json.dumps({n: m.version(n) for n in ${JSON.stringify(REPORTED)}}))`;
    versions = JSON.parse(execFileSync(python, ["-c", script], { encoding: "utf8", timeout: 60000 }));
  } catch (err) {
    return (found = new Error(`the virtual environment at ${dir} lacks Jupyter's packages (${(err as Error).message.split("\n").slice(-2).join(" ")}); ${fix}`));
  }
  const pins = pinnedVersions();
  const stale = REPORTED.filter((name) => pins[normalize(name)] !== versions[name]).map((name) => `${name} ${versions[name]} (pinned ${pins[normalize(name)] ?? "nowhere"})`);
  if (stale.length > 0) return (found = new Error(`the virtual environment at ${dir} does not match .ci/requirements.txt: ${stale.join(", ")}; ${fix}`));
  const env = (base: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...base, VIRTUAL_ENV: dir, PATH: [bin, base.PATH ?? ""].join(path.delimiter) });
  return (found = { dir, bin, python, versions, env });
}

/** One line naming the versions a test ran against, e.g. "jupyterlab 4.6.6, notebook 7.6.5". */
export function describeVersions(venv: JupyterVenv, names: string[]): string {
  return names.map((name) => `${name} ${venv.versions[name]}`).join(", ");
}

/**
 * For a mocha `before`: the venv, after printing the versions of `names`. Without it the
 * hook throws in CI and skips elsewhere, with the reason either way.
 */
export function useJupyterVenv(context: Mocha.Context, names: string[]): JupyterVenv {
  const venv = findJupyterVenv();
  if (venv instanceof Error) {
    if (process.env.CI === "true") throw venv;
    console.log(`    (skipped: ${venv.message})`);
    context.skip();
  }
  console.log(`    (Jupyter from ${venv.dir}: ${describeVersions(venv, names)})`);
  return venv;
}
