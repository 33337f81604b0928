/**
 * Writes the seqlab kernelspec (kernel.json and a logo) into a Jupyter data directory, the
 * way `jupyter kernelspec install` would, without needing Python.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROTOCOL_VERSION } from "./wire";

export type InterruptMode = "signal" | "message";

export interface InstallOptions {
  /** Where: the user's data dir (default), the Python environment's prefix, or DIR/share/jupyter. */
  location?: { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; dir: string };
  name?: string;
  displayName?: string;
  interruptMode?: InterruptMode;
  /** Absolute path of the CLI script the kernelspec runs (default: the built dist/kernel/cli.js). */
  cliPath?: string;
}

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: InterruptMode;
  env: Record<string, string>;
  metadata: Record<string, unknown>;
  /** The messaging protocol version the kernel speaks (jupyter_client adapts to older ones). */
  kernel_protocol_version: string;
}

export const DEFAULT_NAME = "seqlab";
export const DEFAULT_DISPLAY_NAME = "TypeScript (seqlab)";

/** The per-user Jupyter data directory, as jupyter_core computes it. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.JUPYTER_DATA_DIR) return path.resolve(env.JUPYTER_DATA_DIR);
  const home = os.homedir();
  if (platform === "darwin") return path.join(home, "Library", "Jupyter");
  if (platform === "win32") return path.join(env.APPDATA ?? path.join(home, "AppData", "Roaming"), "jupyter");
  return path.join(env.XDG_DATA_HOME || path.join(home, ".local", "share"), "jupyter");
}

/**
 * The prefix of the Python environment Jupyter runs in (sys.prefix). Prefers a python3 that
 * has jupyter_core installed, since that is the one whose data dirs Jupyter searches.
 */
export function pythonSysPrefix(): string {
  const candidates = process.platform === "win32" ? ["python", "py"] : ["python3", "/usr/bin/python3", "python"];
  let fallback: string | undefined;
  for (const python of candidates) {
    try {
      const out = execFileSync(python, ["-c", "import sys\ntry:\n import jupyter_core\n ok=1\nexcept ImportError:\n ok=0\nprint(ok, sys.prefix)"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
      const [ok, ...prefix] = out.split(" ");
      if (ok === "1") return prefix.join(" ");
      fallback ??= prefix.join(" ");
    } catch {
      // not installed under this name; try the next
    }
  }
  if (fallback) return fallback;
  throw new Error(
    "--sys-prefix needs the Python that runs Jupyter, but no python3 was found on PATH; " +
      "install with --user (the default), or give the environment's prefix with --prefix DIR",
  );
}

/** The kernels/NAME directory the kernelspec goes into. */
export function kernelDir(options: InstallOptions = {}): string {
  const name = options.name ?? DEFAULT_NAME;
  const location = options.location ?? { kind: "user" };
  const dataDir =
    location.kind === "user"
      ? userDataDir()
      : location.kind === "sys-prefix"
        ? path.join(pythonSysPrefix(), "share", "jupyter")
        : path.join(path.resolve(location.dir), "share", "jupyter");
  return path.join(dataDir, "kernels", name);
}

/** Jupyter's rule for kernel names: ASCII letters, digits, '.', '_' and '-'. */
export function checkKernelName(name: string): void {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new Error(`invalid kernel name "${name}": use only ASCII letters, digits, ".", "_" and "-"`);
  }
}

/**
 * Node options the kernel runs with. A young generation of at most 2 MB per semi-space
 * (V8's default is 16 MB) keeps some 20 MB less resident in every kernel, idle or not;
 * TypeScript's checking and the training step measured no slower with it. (V8's
 * --optimize-for-size saved some 10 MB more but made type checking a third slower.)
 */
export const KERNEL_NODE_OPTIONS = ["--max-semi-space-size=2"];

/**
 * Environment the kernel runs with. glibc gives each thread that allocates its own malloc
 * arena, and memory freed there (TypeScript's parser, V8's compiler threads) stays
 * resident; two arenas kept some 5-12 MB less per kernel. Other C libraries ignore it.
 */
export const KERNEL_ENV: Record<string, string> = { MALLOC_ARENA_MAX: "2" };

export function makeKernelSpec(options: InstallOptions = {}): KernelSpec {
  const cliPath = options.cliPath ?? path.join(__dirname, "cli.js");
  return {
    // The absolute node binary, so the kernel starts even when Jupyter runs with a PATH
    // that lacks node (a desktop launcher, a version manager's shim).
    argv: [process.execPath, ...KERNEL_NODE_OPTIONS, path.resolve(cliPath), "kernel", "--connection-file", "{connection_file}"],
    display_name: options.displayName ?? DEFAULT_DISPLAY_NAME,
    language: "typescript",
    // interrupt_request on the control channel: the kernel's control thread takes it even
    // while a cell blocks the main thread, and signals the main thread only while cell code
    // runs under vm's watchdog. A SIGINT from outside can land in the moment vm swaps its
    // listeners, which ends the process; and Windows has no SIGINT to send.
    interrupt_mode: options.interruptMode ?? "message",
    env: { ...KERNEL_ENV },
    metadata: { debugger: false },
    kernel_protocol_version: PROTOCOL_VERSION,
  };
}

/** A small square logo: a wave over "TS", for JupyterLab's launcher. */
const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <rect width="64" height="64" rx="8" fill="#2f74c0"/>
  <path d="M6 22 C14 10, 22 10, 30 22 S46 34, 58 22" fill="none" stroke="#ffd43b" stroke-width="4" stroke-linecap="round"/>
  <text x="32" y="56" font-family="Helvetica, Arial, sans-serif" font-size="26" font-weight="bold" fill="#fff" text-anchor="middle">TS</text>
</svg>
`;

/** Writes kernel.json (and the logo) and returns the directory. Replaces an older install. */
export function installKernelSpec(options: InstallOptions = {}): string {
  const name = options.name ?? DEFAULT_NAME;
  checkKernelName(name);
  const dir = kernelDir(options);
  const spec = makeKernelSpec(options);
  const script = spec.argv[1 + KERNEL_NODE_OPTIONS.length];
  if (!fs.existsSync(script)) {
    throw new Error(`the kernel script ${script} does not exist; build first (npm run build)`);
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
  fs.writeFileSync(path.join(dir, "logo-svg.svg"), LOGO_SVG);
  return dir;
}
