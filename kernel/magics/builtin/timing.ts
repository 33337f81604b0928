/** %time / %%time and %timeit / %%timeit, reporting like IPython. */
import { setImmediate as yieldToEventLoop } from "timers/promises";
import { KeyboardInterrupt } from "../../engine/context";
import { formatDuration, meanAndStd, timeitReport } from "../timefmt";
import type { CompiledCode, MagicContext, MagicSpec } from "../types";

function codeOf(ctx: MagicContext, args: { invokedAs: "line" | "cell"; rest: string; body?: string }): string {
  const code = args.invokedAs === "cell" ? args.body ?? "" : args.rest;
  if (code.trim() === "") ctx.usageError("nothing to time: give a statement after the magic (or a cell body for the cell form)");
  // A cell body starts on the cell's second line; keep error line numbers those of the cell.
  return args.invokedAs === "cell" ? `\n${code}` : code;
}

export const timeMagic: MagicSpec = {
  name: "time",
  kind: "both",
  usage: "%time statement  |  %%time (times the cell)",
  help: "Runs the statement (or the cell body) once in the notebook and reports CPU and wall time.\nThe statement's value is the result, and its declarations stay defined.",
  args: "code",
  async run(ctx, args) {
    const source = codeOf(ctx, args);
    const compileStart = performance.now();
    const code = await ctx.compileCode(source, { keepDeclarations: true });
    const compileSeconds = (performance.now() - compileStart) / 1000;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const report = () => {
      const wall = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const user = cpu.user / 1e6;
      const sys = cpu.system / 1e6;
      ctx.print(`CPU times: user ${formatDuration(user)}, sys: ${formatDuration(sys)}, total: ${formatDuration(user + sys)}\nWall time: ${formatDuration(wall)}`);
      // IPython reports the compile step separately once it is noticeable.
      if (compileSeconds > 0.1) ctx.print(`Compiler : ${formatDuration(compileSeconds)}`);
    };
    try {
      return await code.run();
    } finally {
      report();
    }
  },
};

/** Seconds for `loops` runs of `code`. */
async function timeLoops(code: CompiledCode, loops: number): Promise<number> {
  const t0 = performance.now();
  await code.runRepeatedly(loops);
  return (performance.now() - t0) / 1000;
}

/** The result object %timeit -o returns (IPython's TimeitResult, in essence). */
export interface TimeitResult {
  loops: number;
  repeat: number;
  /** Seconds per loop, one per run. */
  timings: number[];
  average: number;
  stdev: number;
  best: number;
  worst: number;
  toString(): string;
}

export const timeitMagic: MagicSpec = {
  name: "timeit",
  kind: "both",
  usage: "%timeit [-n N] [-r R] [-q] [-o] statement  |  %%timeit [-n N] [-r R] [-q] [-o] [setup]",
  help:
    "Times a statement by running it N times per run, R runs, and reports the mean and standard\n" +
    "deviation per loop. Without -n, N is the first power of 10 taking at least 0.2 s.\n" +
    "In the cell form, the rest of the first line is setup code run once before timing the body.",
  args: "code",
  options: {
    number: { type: "number", short: "n", help: "loops per run (default: automatic)" },
    repeat: { type: "number", short: "r", default: 7, help: "number of runs" },
    quiet: { type: "boolean", short: "q", help: "print nothing" },
    output: { type: "boolean", short: "o", help: "return the TimeitResult as the cell's value" },
  },
  async run(ctx, args) {
    const repeat = Number(args.options.repeat);
    if (!Number.isInteger(repeat) || repeat < 1) ctx.usageError(`-r must be a whole number of runs >= 1, got ${args.options.repeat}`);
    const requested = args.options.number;
    if (requested !== undefined && (!Number.isInteger(requested) || (requested as number) < 1)) {
      ctx.usageError(`-n must be a whole number of loops >= 1, got ${requested}`);
    }
    let statement: string;
    if (args.invokedAs === "cell") {
      if (args.rest.trim() !== "") await ctx.runCode(args.rest);
      statement = codeOf(ctx, args);
    } else {
      statement = codeOf(ctx, args);
    }
    const code = await ctx.compileCode(statement);
    const check = async () => {
      await yieldToEventLoop();
      if (ctx.signal.aborted) throw new KeyboardInterrupt();
    };
    let loops = requested as number | undefined;
    if (loops === undefined) {
      for (let exponent = 0; exponent < 10; exponent++) {
        loops = 10 ** exponent;
        const seconds = await timeLoops(code, loops);
        await check();
        if (seconds >= 0.2) break;
      }
    }
    const n = loops as number;
    const timings: number[] = [];
    for (let r = 0; r < repeat; r++) {
      timings.push((await timeLoops(code, n)) / n);
      await check();
    }
    const { mean, std } = meanAndStd(timings);
    const best = Math.min(...timings);
    const worst = Math.max(...timings);
    const report = timeitReport(timings, n);
    if (!args.options.quiet) {
      if (worst > 4 * best && best > 0 && worst > 1e-6) {
        ctx.print(
          `The slowest run took ${(worst / best).toFixed(2)} times longer than the fastest. ` +
            "This could mean that an intermediate result is being cached.",
        );
      }
      ctx.print(report);
    }
    if (!args.options.output) return undefined;
    const result: TimeitResult = { loops: n, repeat, timings, average: mean, stdev: std, best, worst, toString: () => report };
    // Shown as IPython shows its TimeitResult, while the numbers stay plain fields.
    Object.defineProperty(result, Symbol.for("Jupyter.display"), { value: () => ({ "text/plain": `<TimeitResult : ${report}>` }) });
    return result;
  },
};
