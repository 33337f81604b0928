#!/usr/bin/env node
/**
 * `seqlab`: install the kernelspec, run the kernel, run notebooks headlessly, benchmark.
 * Heavy modules (the kernel, the runner, benchmarks) load only for the subcommand that needs
 * them, so `seqlab --help` and kernel start-up stay fast.
 */
import * as fs from "fs";
import * as path from "path";
import type { Command } from "commander";
import { cachePackageCode } from "./engine/code-cache";

/** This package's folder (dist/kernel/cli.js and kernel/cli.ts sit two levels below it). */
const packageRoot = path.resolve(__dirname, "..", "..");

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

function fail(err: unknown): never {
  process.stderr.write(`seqlab: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

/** Subcommands that own their arguments (`run`, `bench`) get them untouched. */
function passThrough(program: Command, name: string, description: string, load: () => (argv: string[]) => Promise<number>): void {
  program
    .command(name)
    .description(description)
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument("[args...]")
    .action(async (args: string[]) => {
      try {
        process.exitCode = await load()(args);
      } catch (err) {
        fail(err);
      }
    });
}

export function buildProgram(): Command {
  // Loaded here, not above, so that a kernel's start caches its code too (see below).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Command, Option } = require("commander") as typeof import("commander");
  const program = new Command("seqlab")
    .description("A TypeScript Jupyter kernel with sequence-model magics")
    .version(version(), "-V, --version")
    .showHelpAfterError();

  program
    .command("install")
    .description("install the seqlab kernelspec so Jupyter can start the kernel (no Python needed)")
    .option("--user", "into the per-user data directory, or $JUPYTER_DATA_DIR when set (default)")
    .option("--sys-prefix", "into the Python environment that runs Jupyter (sys.prefix/share/jupyter)")
    .option("--prefix <dir>", "into DIR/share/jupyter (e.g. a virtualenv or a conda environment)")
    .option("--name <name>", "kernel name", "seqlab")
    .option("--display-name <text>", "name shown in the frontend's launcher", "TypeScript (seqlab)")
    .addOption(
      new Option("--interrupt-mode <mode>", "how the frontend interrupts the kernel")
        .choices(["signal", "message"])
        .default("message"),
    )
    .action((opts: { user?: boolean; sysPrefix?: boolean; prefix?: string; name: string; displayName: string; interruptMode: "signal" | "message" }) => {
      const chosen = [opts.user, opts.sysPrefix, opts.prefix !== undefined].filter(Boolean).length;
      if (chosen > 1) fail("choose one of --user, --sys-prefix and --prefix DIR");
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { installKernelSpec } = require("./install") as typeof import("./install");
      try {
        const dir = installKernelSpec({
          location: opts.sysPrefix ? { kind: "sys-prefix" } : opts.prefix !== undefined ? { kind: "prefix", dir: opts.prefix } : { kind: "user" },
          name: opts.name,
          displayName: opts.displayName,
          interruptMode: opts.interruptMode,
        });
        process.stdout.write(`Installed kernelspec ${opts.name} in ${dir}\n`);
      } catch (err) {
        fail(err);
      }
    });

  program
    .command("kernel")
    .description("run the kernel (Jupyter starts this through the kernelspec)")
    .requiredOption("-f, --connection-file <file>", "the connection file Jupyter wrote")
    .option("--engine <module>", "use another execution engine module (exports createEngine and languageInfo)")
    .action(async (opts: { connectionFile: string; engine?: string }) => {
      // The control thread boots beside the main thread loading the engine (control-thread-launch.ts).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const controlThread = require("./control-thread-launch") as typeof import("./control-thread-launch");
      controlThread.launchControlThread();
      try {
        // The type checkers load beside the kernel while it starts (see engine/typescript-choice.ts).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { chosenTypeScript } = require("./engine/typescript-choice") as typeof import("./engine/typescript-choice");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        if (!opts.engine && chosenTypeScript() === 7) (require("./engine/native-checking") as typeof import("./engine/native-checking")).startTypeScript7(process.cwd());
        else if (!opts.engine) {
          // What the first cells compile with (engine/unchecked-cells.ts), then the quick checker.
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const unchecked = require("./engine/unchecked-cells") as typeof import("./engine/unchecked-cells");
          if (unchecked.runBeforeCheckerFromEnvironment()) unchecked.startCellCompiler(process.cwd());
        }
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { runKernel } = require("./main") as typeof import("./main");
        const code = await runKernel({ connectionFile: opts.connectionFile, engineModule: opts.engine });
        process.exit(code);
      } catch (err) {
        await controlThread.endUntakenControlThread();
        fail(err);
      }
    });

  program
    .command("notebooks")
    .description("copy the lecture and lab notebooks into DIR, to run and change there")
    .argument("<dir>", "folder to write them to (created if missing)")
    .option("--force", "overwrite notebooks that already exist in DIR (default: keep them)")
    .option("--student", "write the student edition of the lab: the parts students write left as TODOs, each followed by its check")
    .action((dir: string, opts: { force?: boolean; student?: boolean }) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { copyNotebooks } = require("./copy-notebooks") as typeof import("./copy-notebooks");
      try {
        const { written, kept } = copyNotebooks(dir, { force: opts.force, student: opts.student });
        for (const file of written) process.stdout.write(`wrote ${file}\n`);
        for (const file of kept) process.stdout.write(`kept ${file} (exists; --force overwrites)\n`);
        process.stdout.write(`Open them in Jupyter with the "TypeScript (seqlab)" kernel, or: seqlab run ${path.join(dir, "lab1-music-generation.ipynb")} --quick\n`);
      } catch (err) {
        fail(err);
      }
    });

  passThrough(program, "run", "execute notebooks headlessly (seqlab run --help for options)", () => {
    let runner: { main(argv: string[]): Promise<number> };
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      runner = require("./runner");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" && String((err as Error).message).includes("runner")) {
        throw new Error("the notebook runner is not part of this build");
      }
      throw err;
    }
    return (argv) => runner.main(argv);
  });

  passThrough(program, "bench", "run a benchmark from a checkout of the repository: seqlab bench {kernel|checker|lstm|parity|torch} [options]", () => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runBench } = require("../bench") as typeof import("../bench");
      return runBench;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" && String((err as Error).message).includes("bench")) {
        throw new Error("benchmarks are not part of the published package: run them from a clone of the repository (npm run bench)");
      }
      throw err;
    }
  });

  return program;
}

/**
 * A kernel's start compiles this package's modules and its dependencies' (some 40 ms of it):
 * V8's code cache keeps that work from one kernel to the next (engine/code-cache.ts).
 * TypeScript 5 keeps a cache of its own (engine/toolchain.ts).
 */
function cacheKernelCode(): void {
  const typescript5 = /[\\/]node_modules[\\/](typescript|@tslab[\\/]typescript-for-tslab)[\\/]/;
  cachePackageCode((file) => (file.startsWith(packageRoot + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)) && !typescript5.test(file));
}

if (require.main === module) {
  if (process.argv[2] === "kernel") cacheKernelCode();
  buildProgram()
    .parseAsync(process.argv)
    .catch((err) => fail(err));
}
