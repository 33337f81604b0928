/** Small notebooks built in tests, and ways to run `seqlab run` on them. */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { newCellId, type Cell, type Notebook } from "../../kernel/runner/notebook";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
export const CLI = path.join(REPO_ROOT, "dist", "kernel", "cli.js");
/** The protocol tests' JavaScript engine: lets runner tests not depend on the TypeScript engine. */
export const JS_ENGINE = path.join(REPO_ROOT, "dist", "test", "kernel", "fixtures", "js-engine.js");
export const JS_KERNEL_ARGV = [process.execPath, CLI, "kernel", "--engine", JS_ENGINE, "--connection-file", "{connection_file}"];

export function code(source: string, tags?: string[]): Cell {
  return { cell_type: "code", id: newCellId(), source, metadata: tags ? { tags } : {}, execution_count: null, outputs: [] };
}

export function markdown(source: string): Cell {
  return { cell_type: "markdown", id: newCellId(), source, metadata: {} };
}

export function notebook(cells: Cell[]): Notebook {
  return { nbformat: 4, nbformat_minor: 5, metadata: {}, cells };
}

export function tempDir(prefix = "seqlab-runner-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `node dist/kernel/cli.js ARGS` and collect its output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO_ROOT): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Pids of live processes whose environment holds SEQLAB_TEST_MARKER=marker (Linux /proc).
 * Tests give the CLI a fresh marker; kernels inherit it, so this finds exactly the processes
 * that one run started, even while other test runs use the machine.
 */
export function processesWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const env = fs.readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      const state = fs.readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]?.[0];
      if (env.includes(`SEQLAB_TEST_MARKER=${marker}`) && state !== "Z") pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export function newMarker(): string {
  return `m${process.pid}-${Math.random().toString(36).slice(2)}`;
}
