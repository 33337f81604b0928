/**
 * A classroom on one machine: JupyterHub with 8 users, each running the quick lab notebook at
 * the same time through the hub (REST API and kernel websockets, as JupyterLab does), after
 * one user alone for comparison. Asserts that every run finishes with its claims holding,
 * that no output reaches another user's notebook, and that the kernels end when their users'
 * servers stop; prints the peak memory per kernel and in total, and the wall times.
 * `npm run test:hub` (run by .ci/run).
 */
import { spawn } from "child_process";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../kernel/helpers";
import { checkLabNotebookInputs } from "../e2e/notebook-server";
import { useJupyterVenv, type JupyterVenv } from "../jupyter/venv";
import { startHub, type Hub } from "./jupyterhub";

const CLASS_SIZE = 8;
const NOTEBOOK = "lab1-music-generation.ipynb";
const driver = path.join(repoRoot, "test", "hub", "drive_notebook.py");

interface CellResult {
  status: string;
  errors: string[];
  text: string;
}
interface RunResult {
  user: string;
  pid: number;
  wall_s: number;
  cells: CellResult[];
  code_cells: number;
  strays: unknown[];
}

/** Resident and peak-resident memory of a process in MB (from /proc), or null once it is gone. */
function memoryMb(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Runs the notebook for each user at once; samples the kernels' memory until all are done. */
async function runClass(venv: JupyterVenv, hub: Hub, users: string[], outDir: string) {
  const pids = new Map<string, number>();
  const peakRss = new Map<number, number>();
  let peakTotal = 0;
  const sampler = setInterval(() => {
    let total = 0;
    for (const pid of pids.values()) {
      const m = memoryMb(pid);
      if (!m) continue;
      total += m.rss;
      peakRss.set(pid, Math.max(peakRss.get(pid) ?? 0, m.hwm));
    }
    peakTotal = Math.max(peakTotal, total);
  }, 250);
  const start = Date.now();
  try {
    const results = await Promise.all(users.map((user) => new Promise<RunResult>((resolve, reject) => {
      const out = path.join(outDir, `${user}.json`);
      const child = spawn(venv.python, [driver, `${hub.url}/user/${user}/`, hub.token, NOTEBOOK, `classroom-${user}`, out], { stdio: ["ignore", "pipe", "pipe"] });
      let log = "";
      child.stdout.on("data", (chunk: Buffer) => {
        log += chunk;
        const m = /^pid (\d+)$/m.exec(log);
        if (m && !pids.has(user)) pids.set(user, Number(m[1]));
      });
      child.stderr.on("data", (chunk: Buffer) => (log += chunk));
      child.on("exit", (code) => {
        if (code !== 0) {
          // The hub's, the servers' and the kernels' output (one stream), less the info lines
          // that name another user and a warning every server repeats: warnings, errors with
          // their tracebacks, kernels' stderr.
          const said = hub.log().split("\n")
            .filter((line) => line.includes(user) || !(/^\[[ID] /.test(line) || line.includes("websocket_ping_timeout")))
            .slice(-150).join("\n");
          return reject(new Error(`the notebook run for ${user} failed (exit ${code}):\n${log.slice(-3000)}\nthe hub's log (all but info lines about others):\n${said}`));
        }
        resolve({ user, ...(JSON.parse(fs.readFileSync(out, "utf8")) as Omit<RunResult, "user">) });
      });
    })));
    return { results, wallS: (Date.now() - start) / 1000, peakTotal, peakPerKernel: [...peakRss.values()] };
  } finally {
    clearInterval(sampler);
  }
}

function checkRun(run: RunResult, classmates: string[]): void {
  const failed = run.cells.findIndex((c) => c.status !== "ok");
  expect(failed, `${run.user}: cell ${failed} failed: ${run.cells[failed]?.errors.join("; ")}`).to.equal(-1);
  expect(run.cells.length, `${run.user}: cells run`).to.equal(run.code_cells);
  expect(run.cells.flatMap((c) => c.errors), `${run.user}: error outputs`).to.deep.equal([]);
  const text = run.cells.map((c) => c.text).join("\n");
  expect(text, `${run.user}: claims`).not.to.match(/claim failed/i);
  expect(text, `${run.user}: its own marker`).to.contain(`classroom-${run.user} `);
  for (const other of classmates.filter((u) => u !== run.user)) expect(text, `${run.user} saw ${other}'s output`).not.to.contain(`classroom-${other} `);
  expect(run.strays, `${run.user}: messages that were not replies to its own requests`).to.deep.equal([]);
}

/** The pids still running after up to 10 s (a server's shutdown ends its kernels, not at once). */
async function stillRunning(pids: number[]): Promise<number[]> {
  for (let i = 0; i < 40 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 250));
  return pids.filter(alive);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

describe("classroom: 8 users on one JupyterHub run the quick lab notebook at once", function () {
  let venv: JupyterVenv;
  let hub: Hub | undefined;
  let outDir: string;
  const students = Array.from({ length: CLASS_SIZE }, (_, i) => `student${i + 1}`);
  const notebook = fs.readFileSync(path.join(repoRoot, "notebooks", NOTEBOOK), "utf8");
  let alone: Awaited<ReturnType<typeof runClass>>;

  before(async function () {
    this.timeout(600_000);
    venv = useJupyterVenv(this, ["jupyterhub", "jupyter_server"]);
    checkLabNotebookInputs();
    hub = await startHub(venv, { SEQLAB_QUICK: "1", SEQLAB_DATA_DIR: path.resolve(process.env.SEQLAB_DATA_DIR!) });
    outDir = path.join(hub.workspace, "results");
    fs.mkdirSync(outDir);
    await hub.startServers(["solo", ...students]);
    // Each user gets a copy of the notebook in a home of their own, as a class assignment does.
    for (const user of ["solo", ...students]) {
      await hub.request("PUT", `/user/${user}/api/contents/${NOTEBOOK}`, { type: "notebook", format: "json", content: JSON.parse(notebook) });
    }
  });

  after(async function () {
    this.timeout(120_000);
    if (!hub) return;
    const left = await hub.stop();
    expect(left, "processes left behind by the hub").to.deep.equal([]);
  });

  it("one user alone runs the notebook, its claims holding; the kernel ends with the server", async function () {
    this.timeout(600_000);
    alone = await runClass(venv, hub!, ["solo"], outDir);
    checkRun(alone.results[0], ["solo", ...students]);
    await hub!.stopServer("solo");
    expect(await stillRunning([alone.results[0].pid]), "solo's kernel after its server stopped").to.deep.equal([]);
  });

  it("8 users at once: every run finishes with its claims holding, no output crosses, the kernels end with the servers", async function () {
    this.timeout(1_200_000);
    const run = await runClass(venv, hub!, students, outDir);
    for (const result of run.results) checkRun(result, students);
    const pids = run.results.map((r) => r.pid);
    expect(new Set(pids).size, "one kernel process per user").to.equal(CLASS_SIZE);
    for (const user of students) await hub!.stopServer(user);
    expect(await stillRunning(pids), "kernels still running after their servers stopped").to.deep.equal([]);

    const mb = (v: number) => `${Math.round(v)} MB`;
    console.log(`    (one user alone: ${alone.wallS.toFixed(1)} s, kernel peak ${mb(alone.peakPerKernel[0])})`);
    console.log(`    (${CLASS_SIZE} users at once: ${run.wallS.toFixed(1)} s wall (${(run.wallS / alone.wallS).toFixed(1)}x one user alone), ` +
      `peak kernel memory ${mb(Math.min(...run.peakPerKernel))}–${mb(Math.max(...run.peakPerKernel))} (median ${mb(median(run.peakPerKernel))}), ` +
      `all kernels together at most ${mb(run.peakTotal)})`);
  });
});
