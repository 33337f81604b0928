/**
 * Starting real kernel processes for the protocol tests, and the few lines of cell code that
 * differ between engines (how a cell displays, asks for input, awaits).
 */
import * as fs from "fs";
import * as path from "path";
import { KernelProcess } from "../../kernel/jupyter-client";

export const repoRoot = path.resolve(__dirname, "..", "..", "..");
export const cliPath = path.join(repoRoot, "dist", "kernel", "cli.js");

/** Cell code for one engine. */
export interface Dialect {
  name: string;
  /** Extra arguments to `seqlab kernel` (e.g. --engine). */
  kernelArgs: string[];
  /** Declares a variable that later cells can read. */
  define(name: string, value: string): string;
  /** Shows a text/plain display with a display id; with update, a later cell replaces it in place. */
  display(text: string, displayId: string, update: boolean): string;
  clearOutput(wait: boolean): string;
  /** An expression cell whose value is what the user typed. */
  input(prompt: string): string;
  /** A cell that awaits forever in small steps (stopped only by an interrupt). */
  awaitForever: string;
  /** A statement that writes `text` plus a newline to stdout. */
  print(text: string): string;
  /** A cell that starts a long-running child process. */
  spawnChild: string;
}

export const jsDialect: Dialect = {
  name: "JS test engine",
  kernelArgs: ["--engine", path.join(repoRoot, "dist", "test", "kernel", "fixtures", "js-engine.js")],
  define: (name, value) => `var ${name} = ${value};`,
  display: (text, id, update) => `display({"text/plain": ${JSON.stringify(text)}}, ${JSON.stringify(id)}, ${update})`,
  clearOutput: (wait) => `clearOutput(${wait})`,
  input: (prompt) => `input(${JSON.stringify(prompt)})`,
  awaitForever: "(async () => { for (;;) await new Promise((r) => setTimeout(r, 10)); })()",
  print: (text) => `console.log(${JSON.stringify(text)})`,
  spawnChild: 'require("child_process").spawn("sleep", ["60"], { stdio: "ignore" }).pid',
};

/** A variable name for the display handle of a display id. */
const handleName = (id: string): string => `handle_${id.replace(/\W/g, "_")}`;

/** The real engine's dialect: TypeScript through kernel/engine (tslab), with its display helpers. */
export const engineDialect: Dialect = {
  name: "seqlab engine",
  kernelArgs: [],
  define: (name, value) => `var ${name} = ${value};`,
  // display() returns a handle; a later cell updates the output through it.
  display: (text, id, update) =>
    update
      ? `await ${handleName(id)}.update(display.mime({"text/plain": ${JSON.stringify(text)}}))`
      : `var ${handleName(id)} = display(display.mime({"text/plain": ${JSON.stringify(text)}}), {displayId: ${JSON.stringify(id)}})`,
  clearOutput: (wait) => `clearOutput(${wait})`,
  input: (prompt) => `await input(${JSON.stringify(prompt)})`,
  awaitForever: "for (;;) await new Promise((r) => setTimeout(r, 10));",
  print: (text) => `console.log(${JSON.stringify(text)})`,
  spawnChild: 'import { spawn } from "child_process";\nspawn("sleep", ["60"], { stdio: "ignore" }).pid',
};

export function engineBuilt(): boolean {
  return fs.existsSync(path.join(repoRoot, "dist", "kernel", "engine", "index.js"));
}

/** Starts `node dist/kernel/cli.js kernel` and waits until it answers and iopub flows. */
export async function startKernel(dialect: Dialect, options: { transport?: "tcp" | "ipc"; extraArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<KernelProcess> {
  // launch ends a kernel that does not become ready and quotes what it printed.
  const { kernel } = await KernelProcess.launch(
    {
      argv: [process.execPath, cliPath, "kernel", "--connection-file", "{connection_file}", ...dialect.kernelArgs, ...(options.extraArgs ?? [])],
      transport: options.transport,
      env: options.env,
      cwd: repoRoot,
    },
    60000, // a loaded CI machine can take tens of seconds to start one
  );
  return kernel;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a process with this pid is still running. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export { childPids } from "../../kernel/children";
