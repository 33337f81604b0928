/**
 * A Jupyter server (JupyterLab 4 or Notebook 7 on jupyter_server, or the classic Notebook 6)
 * in a throwaway workspace: its own HOME, runtime, config and data dirs, the seqlab kernelspec
 * installed into a temporary prefix with `seqlab install --prefix`, and a notebook directory
 * that holds a copy of one notebook. The server listens on loopback only, with a random token.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { cliPath, engineBuilt, repoRoot } from "../kernel/helpers";

export interface NotebookServer {
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  token: string;
  /** The folder the server serves (holds the notebook copy). */
  notebookDir: string;
  /** Everything the server and its kernels print, for failure messages. */
  log(): string;
  /** The temporary folder everything lives in; kernel command lines name files under it. */
  workspace: string;
  /**
   * Stops the server (and through it every kernel it started) and removes the workspace.
   * Resolves with the ids of processes that still named the workspace afterwards (they are
   * killed), so a caller can assert that nothing was left behind.
   */
  stop(): Promise<number[]>;
}

/** Throws, saying what to do, unless the engine is built and the lab corpus is in SEQLAB_DATA_DIR. */
export function checkLabNotebookInputs(): void {
  if (!engineBuilt()) throw new Error("dist/kernel/engine/index.js is missing: build first (npm run build)");
  if (!process.env.SEQLAB_DATA_DIR || !fs.existsSync(path.join(process.env.SEQLAB_DATA_DIR, "irish.abc"))) {
    throw new Error(`the lab corpus irish.abc is not in SEQLAB_DATA_DIR (${process.env.SEQLAB_DATA_DIR ?? "unset"}); set it to the folder that holds it`);
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Debian's classic Notebook (6.x) launcher, or null when it is not installed. Only the
 * system Python: `jupyter-notebook` on PATH may be Notebook 7 from the venv.
 */
export function classicNotebookCommand(): string[] | null {
  const command = ["/usr/bin/python3", "-m", "notebook"];
  try {
    const version = execFileSync(command[0], [...command.slice(1), "--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 60000 }).trim();
    return /^6\./.test(version) ? command : null;
  } catch {
    return null;
  }
}

/** How to start one kind of server and pass it the options every test server gets. */
export interface JupyterApp {
  command: string[];
  /** Environment for the server (e.g. the venv's PATH). */
  env?: NodeJS.ProcessEnv;
  /** The traitlets class that holds token, root dir and remote access: the classic Notebook's or jupyter_server's. */
  serverClass: "NotebookApp" | "ServerApp";
  /** Further command-line options. */
  args?: string[];
  /** JupyterLab-style user settings: plugin id ("@jupyterlab/notebook-extension:tracker") -> values. */
  userSettings?: Record<string, object>;
}

/** Writes user settings where JupyterLab and Notebook 7 read them ({config}/lab/user-settings). */
function writeUserSettings(configDir: string, settings: Record<string, object>): void {
  for (const [plugin, values] of Object.entries(settings)) {
    const [pkg, name] = plugin.split(":");
    const file = path.join(configDir, "lab", "user-settings", pkg, `${name}.jupyterlab-settings`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(values));
  }
}

/**
 * The notebook directory works like a user's project that did `npm install seqlab`: its
 * node_modules links `seqlab` to this checkout and `@tensorflow` to the checkout's copy, so
 * the kernel (which runs in the notebook's folder) resolves the cells' imports to the very
 * modules the library itself uses.
 */
function linkProjectModules(notebookDir: string): void {
  const modules = path.join(notebookDir, "node_modules");
  fs.mkdirSync(modules, { recursive: true });
  fs.symlinkSync(repoRoot, path.join(modules, "seqlab"), "dir");
  fs.symlinkSync(path.join(repoRoot, "node_modules", "@tensorflow"), path.join(modules, "@tensorflow"), "dir");
}

async function waitForServer(baseUrl: string, token: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the Notebook server exited (${child.exitCode ?? child.signalCode}) before it answered:\n${log().slice(-4000)}`);
    }
    try {
      const res = await fetch(`${baseUrl}/api/status`, { headers: { Authorization: `token ${token}` } });
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the Notebook server did not answer ${baseUrl}/api/status within ${timeoutMs} ms (${lastError}):\n${log().slice(-4000)}`);
}

/** Ends the server with SIGTERM (its clean shutdown stops its kernels), SIGKILL after graceMs. */
function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * Stops a server (SIGTERM, whose clean shutdown stops its kernels), then kills whatever still
 * names its workspace after a grace period and removes the workspace. Resolves with the ids
 * of the processes that were left, so a caller can assert that nothing was.
 */
export async function stopAndSweep(child: ChildProcess, workspace: string): Promise<number[]> {
  await stopProcess(child, 30000);
  // Kernels get the server's shutdown request first; give a slow one a moment to exit.
  let left = processesMentioning(workspace);
  for (let waited = 0; left.length > 0 && waited < 10000; waited += 250) {
    await new Promise((r) => setTimeout(r, 250));
    left = processesMentioning(workspace);
  }
  for (const pid of left) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  fs.rmSync(workspace, { recursive: true, force: true });
  return left;
}

/** Ids of running processes whose command line mentions `text` (Linux /proc; empty elsewhere). */
export function processesMentioning(text: string): number[] {
  if (!fs.existsSync("/proc")) return [];
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

export async function startNotebookServer(options: { notebook: string; app: JupyterApp; env?: NodeJS.ProcessEnv; startTimeoutMs?: number }): Promise<NotebookServer> {
  const { app } = options;
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-e2e-"));
  const dirs = {
    home: path.join(workspace, "home"),
    prefix: path.join(workspace, "prefix"),
    runtime: path.join(workspace, "runtime"),
    config: path.join(workspace, "config"),
    data: path.join(workspace, "data"),
    notebooks: path.join(workspace, "notebooks"),
  };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...(app.env ?? process.env),
    ...options.env,
    HOME: dirs.home,
    JUPYTER_RUNTIME_DIR: dirs.runtime,
    JUPYTER_CONFIG_DIR: dirs.config,
    JUPYTER_DATA_DIR: dirs.data,
    // The prefix the kernelspec went into, ahead of the system's default data dirs.
    JUPYTER_PATH: path.join(dirs.prefix, "share", "jupyter"),
    IPYTHONDIR: path.join(dirs.home, ".ipython"),
  };
  try {
    execFileSync(process.execPath, [cliPath, "install", "--prefix", dirs.prefix], { env, stdio: "pipe" });
    fs.copyFileSync(options.notebook, path.join(dirs.notebooks, path.basename(options.notebook)));
    linkProjectModules(dirs.notebooks);
    writeUserSettings(dirs.config, app.userSettings ?? {});
  } catch (err) {
    fs.rmSync(workspace, { recursive: true, force: true });
    throw err;
  }

  const token = randomBytes(24).toString("hex");
  const port = await freePort();
  const [command, ...prefixArgs] = app.command;
  const child = spawn(
    command,
    [
      ...prefixArgs,
      "--no-browser",
      "--ip=127.0.0.1",
      `--port=${port}`,
      "--port-retries=0",
      `--${app.serverClass}.token=${token}`,
      `--${app.serverClass}.${app.serverClass === "ServerApp" ? "root_dir" : "notebook_dir"}=${dirs.notebooks}`,
      // Refuse requests that do not come from loopback.
      `--${app.serverClass}.allow_remote_access=False`,
      ...(app.args ?? []),
      // CI containers run as root, which the server refuses unless told.
      ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
    ],
    { env, cwd: dirs.notebooks, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const log = () => output;
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = () => stopAndSweep(child, workspace);
  try {
    await waitForServer(baseUrl, token, child, log, options.startTimeoutMs ?? 120000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { baseUrl, token, notebookDir: dirs.notebooks, workspace, log, stop };
}
