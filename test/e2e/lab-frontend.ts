/**
 * JupyterLab 4 or Notebook 7 from the pinned venv, serving a copy of one notebook, and a
 * headless browser with that notebook open: the setup both frontend tests share.
 */
import * as fs from "fs";
import * as path from "path";
import { JupyterVenv, useJupyterVenv } from "../jupyter/venv";
import { BrowserSession, launchBrowser, missingBrowser } from "./browser";
import { openLabNotebook } from "./lab-page";
import { JupyterApp, NotebookServer, checkLabNotebookInputs, startNotebookServer } from "./notebook-server";

export type LabFrontendKind = "lab" | "notebook";

/**
 * Notebook 7.6.5's keyboard-shortcuts plugin sometimes throws this while the page loads its
 * settings (on the file browser page too, with no notebook or kernel involved): not counted.
 */
export const NOTEBOOK7_OWN_ERROR = "Cannot read properties of undefined (reading 'schema')";

/** User settings for the test servers: every cell stays in the DOM, and JupyterLab asks no news question. */
const TEST_SETTINGS: Record<LabFrontendKind, Record<string, object>> = {
  lab: {
    // By default cells scrolled out of view leave the DOM.
    "@jupyterlab/notebook-extension:tracker": { windowingMode: "none" },
    "@jupyterlab/apputils-extension:notification": { fetchNews: "false", checkForUpdates: false },
  },
  notebook: { "@jupyterlab/notebook-extension:tracker": { windowingMode: "none" } },
};

/** JupyterLab ("lab") or Notebook 7 ("notebook") from the venv, set up for driving. */
function venvApp(venv: JupyterVenv, which: LabFrontendKind): JupyterApp {
  return {
    command: [path.join(venv.bin, `jupyter-${which}`)],
    env: venv.env(process.env),
    serverClass: "ServerApp",
    // The page then offers its application object (window.jupyterapp) to read state from.
    args: ["--expose-app-in-browser"],
    userSettings: TEST_SETTINGS[which],
  };
}

export interface LabFrontend {
  server: NotebookServer;
  session: BrowserSession;
  /** GET on the server's REST API (e.g. "/api/kernels"). */
  api<T>(route: string): Promise<T>;
  /** Closes the browser and stops the server; resolves with left-over process ids. */
  close(): Promise<number[]>;
}

/**
 * For a mocha `before`: prints the versions `versions` names, starts the frontend in quick
 * mode with `notebook` copied in, and opens it. Without the venv or a browser it throws in CI
 * (CI=true) and skips elsewhere, saying what is missing.
 */
export async function openInFrontend(context: Mocha.Context, which: LabFrontendKind, notebook: string, versions: string[]): Promise<LabFrontend> {
  const venv = useJupyterVenv(context, versions);
  const missing = missingBrowser();
  if (missing) {
    if (process.env.CI === "true") throw new Error(`this test needs ${missing}`);
    console.log(`    (skipped: needs ${missing})`);
    context.skip();
  }
  checkLabNotebookInputs();
  const server = await startNotebookServer({ notebook, app: venvApp(venv, which), env: { SEQLAB_QUICK: "1" } });
  let session: BrowserSession | undefined;
  const close = async () => {
    if (session) await session.browser.close();
    return server.stop();
  };
  try {
    session = await launchBrowser();
    const route = which === "lab" ? "lab/tree" : "notebooks";
    await openLabNotebook(session.page, `${server.baseUrl}/${route}/${path.basename(notebook)}?token=${server.token}`);
  } catch (err) {
    await close();
    throw err;
  }
  const api = async <T>(route: string): Promise<T> => {
    const res = await fetch(`${server.baseUrl}${route}`, { headers: { Authorization: `token ${server.token}` } });
    return (await res.json()) as T;
  };
  return { server, session, api, close };
}

/** A folder under test-artifacts/e2e/ for one test's screenshots, and a namer for them. */
export function screenshotFolder(root: string, name: string): (shot: string) => string {
  const dir = path.join(root, "test-artifacts", "e2e", name);
  fs.mkdirSync(dir, { recursive: true });
  return (shot) => path.join(dir, `${shot}.png`);
}
