/** Command-line options of `seqlab run`. */
import { parseParameter, type ParameterValue } from "./parameters";

export interface RunOptions {
  notebooks: string[];
  quick: boolean;
  params: Record<string, ParameterValue>;
  outDir: string;
  html: boolean;
  /** Per-cell limit in seconds; undefined means none. */
  timeoutSeconds?: number;
  help: boolean;
}

export const USAGE = `Usage: seqlab run NOTEBOOK... [options]

Execute notebooks headlessly through the seqlab kernel (no Python or Jupyter needed),
showing per-cell progress on stderr, and write the executed notebooks.

Options:
  --quick               set SEQLAB_QUICK=1 for the kernel, so notebooks pick small sizes
                        (also on when SEQLAB_QUICK=1 is already set)
  --param NAME=VALUE    override a parameter (repeatable). The value is parsed as JSON when
                        it can be (10, 0.5, true, "x", [1,2]), else taken as a string. The
                        notebook needs a code cell tagged "parameters" declaring NAME with let;
                        the overrides go into a new cell after it tagged "injected-parameters".
  --out DIR             where executed notebooks go (default build/notebooks)
  --html                also write an HTML page per notebook, viewable offline
  --timeout SECONDS     fail a cell that runs longer than this (default: no limit)
  -h, --help            show this help

Environment:
  SEQLAB_QUICK=1        the same as --quick
  SEQLAB_RUN_KERNEL     the kernel's argv as a JSON array containing "{connection_file}"
                        (default: this seqlab's own kernel)
  SEQLAB_RUN_KERNEL_LOG=1  copy the kernel process's own log to stderr

Every notebook runs, each in a fresh kernel started in the notebook's folder; a failing
one does not stop the others, and a summary line ends the run ("3 notebooks: 2 passed,
1 failed"). A notebook stops at its first failing cell, except that an error in a cell
tagged "raises-exception" is expected (as nbconvert has it) and the run goes on.

Exit status: 0 when every notebook ran through; 1 when a cell failed in any (its source
and error are printed); 2 for bad arguments or unreadable notebooks; 130 when
interrupted with Ctrl-C (the notebooks after it are not run).
`;

/** Thrown for bad command lines; the message says what to change. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export function parseRunArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): RunOptions {
  const opts: RunOptions = { notebooks: [], quick: env.SEQLAB_QUICK === "1", params: {}, outDir: "build/notebooks", html: false, help: false };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const take = (): string => (inline !== undefined ? inline : value(i++, flag));
    switch (flag) {
      case "-h":
      case "--help":
        opts.help = true;
        break;
      case "--quick":
        opts.quick = true;
        break;
      case "--html":
        opts.html = true;
        break;
      case "--out":
        opts.outDir = take();
        break;
      case "--param":
      case "-p": {
        try {
          const [name, v] = parseParameter(take());
          opts.params[name] = v;
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        break;
      }
      case "--timeout": {
        const raw = take();
        const s = Number(raw);
        if (!Number.isFinite(s) || s <= 0) throw new UsageError(`--timeout expects a positive number of seconds, got ${JSON.stringify(raw)}`);
        opts.timeoutSeconds = s;
        break;
      }
      default:
        if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg} (see seqlab run --help)`);
        opts.notebooks.push(arg);
    }
  }
  if (!opts.help && opts.notebooks.length === 0) throw new UsageError("no notebook given (example: seqlab run notebooks/lab1-music-generation.ipynb --quick)");
  return opts;
}
