/**
 * Finding the Python that has Jupyter's packages (a pyenv or venv python3 on PATH may lack
 * the Debian ones in /usr/bin), installing kernelspecs into a throwaway data dir, and running
 * a Python command with output shown on failure.
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cliPath, repoRoot } from "../kernel/helpers";

/** The first python that can import every module, or null. */
export function pythonWith(modules: string[]): string | null {
  for (const python of ["python3", "/usr/bin/python3"]) {
    try {
      execFileSync(python, ["-c", modules.map((m) => `import ${m}`).join("; ")], { stdio: "ignore" });
      return python;
    } catch {
      // not this one
    }
  }
  return null;
}

/** A temporary Jupyter data dir with the seqlab kernelspec (via `seqlab install`) and a JS test-engine spec. */
export function makeJupyterHome(): { env: NodeJS.ProcessEnv; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-jupyter-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_DATA_DIR: path.join(dir, "data"),
    JUPYTER_RUNTIME_DIR: path.join(dir, "runtime"),
    JUPYTER_CONFIG_DIR: path.join(dir, "config"),
    // Only our data dir: a kernelspec installed elsewhere must not stand in for ours.
    JUPYTER_PATH: path.join(dir, "data"),
    IPYTHONDIR: path.join(dir, "ipython"),
  };
  execFileSync(process.execPath, [cliPath, "install"], { env, stdio: "pipe" });
  const jsSpec = path.join(dir, "data", "kernels", "seqlab-js-test");
  fs.mkdirSync(jsSpec, { recursive: true });
  const engine = path.join(repoRoot, "dist", "test", "kernel", "fixtures", "js-engine.js");
  fs.writeFileSync(
    path.join(jsSpec, "kernel.json"),
    JSON.stringify({
      argv: [process.execPath, cliPath, "kernel", "--connection-file", "{connection_file}", "--engine", engine],
      display_name: "seqlab (JS test engine)",
      language: "javascript",
      interrupt_mode: "signal",
    }),
  );
  return { env, dir };
}

/** Runs a command; resolves with its exit code and combined output. */
export function runCommand(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs: number }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      output += `\n[killed after ${options.timeoutMs} ms]`;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
