/**
 * Starts one kernel process: read the connection file, bind the sockets, load the engine,
 * serve until shutdown, then exit (the frontend restarts the process when it asked for a
 * restart).
 */
import * as fs from "fs";
import * as path from "path";
import type { Engine, LanguageInfo } from "./contract";
import { ownedDir, removeOwnedDir } from "./owned-files";
import { KernelServer } from "./server";
import { validateConnectionInfo } from "./wire";
import { useCellPackages } from "./engine/packages";
import { cachePackageCode } from "./engine/code-cache";

/** What an engine module exports (kernel/engine/index.ts, or a module named with --engine). */
export interface EngineModule {
  createEngine(): Promise<Engine>;
  languageInfo: LanguageInfo;
}

export interface KernelStartOptions {
  connectionFile: string;
  /** Path of an engine module to use instead of the built-in one (tests, other engines). */
  engineModule?: string;
}

export function packageVersion(): string {
  // dist/kernel/main.js and kernel/main.ts both sit two levels below package.json.
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

function loadEngineModule(modulePath?: string): EngineModule {
  const resolved = modulePath ? path.resolve(modulePath) : path.join(__dirname, "engine");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(resolved) as Partial<EngineModule>;
  if (typeof mod.createEngine !== "function" || !mod.languageInfo) {
    throw new Error(`${resolved} must export createEngine() and languageInfo`);
  }
  return mod as EngineModule;
}

/** Runs the kernel until it shuts down; resolves with the process exit code. */
export async function runKernel(options: KernelStartOptions): Promise<number> {
  // The process never ends by SIGINT: while the server serves, its listener interrupts the
  // running cell; before, and from the moment it shuts down until the process exits, a SIGINT
  // (a frontend interrupting in signal mode, a Ctrl-C in the terminal) is ignored, as by a
  // kernel that runs no cell.
  process.on("SIGINT", () => undefined);
  let text: string;
  try {
    text = fs.readFileSync(options.connectionFile, "utf8");
  } catch (err) {
    throw new Error(`cannot read connection file ${options.connectionFile}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`connection file ${options.connectionFile} is not valid JSON: ${(err as Error).message}`);
  }
  const connection = validateConnectionInfo(parsed, options.connectionFile);
  // Before the engine loads TensorFlow.js: where the notebooks' packages come from, and the
  // code V8 compiled for TensorFlow.js and seqlab in the last kernel (engine/code-cache.ts).
  const packages = useCellPackages(process.cwd());
  const seqlabLibs = [...new Set([packages.seqlabDir, packages.kernelSeqlabDir])].map((dir) => path.join(dir, "dist", "lib") + path.sep);
  cachePackageCode((file) => file.includes(`${path.sep}@tensorflow${path.sep}`) || seqlabLibs.some((lib) => file.startsWith(lib)));
  const engineModule = loadEngineModule(options.engineModule);
  // The engine starts first: its type checker loads in a thread of its own (see
  // engine/checker-thread.ts) while this thread binds the sockets and answers kernel_info.
  const engine = new Promise<Engine>((resolve, reject) => {
    try {
      engineModule.createEngine().then(resolve, reject);
    } catch (err) {
      reject(err);
    }
  });
  const dir = ownedDir(options.connectionFile);
  const server = await KernelServer.start({
    connection,
    engine,
    languageInfo: engineModule.languageInfo,
    implementationVersion: packageVersion(),
    ownedDir: dir,
  });
  const exit = await server.exited;
  removeOwnedDir(dir);
  process.stderr.write(`[seqlab kernel] shut down (${exit.reason}${exit.restart ? ", restart requested" : ""})\n`);
  return 0;
}
