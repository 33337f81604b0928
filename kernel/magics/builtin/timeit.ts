/**
 * %timeit / %%timeit as IPython measures: the statement is compiled once into a function
 * that runs the whole loop itself (IPython's Timer template), so a loop costs what the
 * statement costs; the setup runs inside that function, so its variables stay local.
 */
import { setImmediate as yieldToEventLoop } from "timers/promises";
import { KeyboardInterrupt } from "../../engine/context";
import type { CompiledCode, MagicContext, MagicSpec } from "../types";
import { TimeitResult } from "./timeit-result";

/** Where a timing run reads its loop count (the compiled timer is compiled only once). */
const LOOPS = "seqlab.timeit.loops";

/** IPython's autorange stops at the first loop count whose run takes this long. */
const AUTORANGE_SECONDS = 0.2;

/**
 * The timer as TypeScript: an arrow function run on the loop count, returning the
 * milliseconds its loops took. Setup stays on the cell's first line and the statement
 * starts on its own line (line 1 for %timeit, line 2 for %%timeit), so errors keep the
 * cell's line numbers.
 */
export function timerSource(setup: string, statement: string, invokedAs: "line" | "cell"): string {
  const awaits = /\bawait\b/.test(setup) || /\bawait\b/.test(statement);
  // Awaiting loops stop at the next iteration once interrupted (a sync loop is broken by SIGINT).
  const stop = awaits ? `if (__seqlab_signal?.aborted) break; ` : "";
  const head =
    `(${awaits ? "async " : ""}(__seqlab_loops: number) => { ` +
    `const __seqlab_signal: AbortSignal | undefined = (globalThis as any)[Symbol.for("seqlab.abortSignal")]; ${setup}`;
  const loop = `const __seqlab_t0 = performance.now(); for (let __seqlab_i = 0; __seqlab_i < __seqlab_loops; __seqlab_i++) { ${stop}`;
  const tail = `\n} return performance.now() - __seqlab_t0; })((globalThis as any)[Symbol.for(${JSON.stringify(LOOPS)})])`;
  return invokedAs === "cell" ? `${head}\n${loop}${statement}${tail}` : `${head}; ${loop}${statement}${tail}`;
}

/**
 * IPython's Timer.autorange: tries 1, 2, 5, 10, 20, 50... loops until one run takes at
 * least 0.2 s; returns that loop count.
 */
export async function autorange(secondsFor: (loops: number) => Promise<number>): Promise<number> {
  for (let power = 1; ; power *= 10) {
    for (const factor of [1, 2, 5]) {
      const loops = power * factor;
      if ((await secondsFor(loops)) >= AUTORANGE_SECONDS) return loops;
    }
  }
}

function wholeNumber(ctx: MagicContext, flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) ctx.usageError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return value as number;
}

/** Seconds for one run of `loops` loops; interruptible between runs. */
function runner(ctx: MagicContext, timer: CompiledCode): (loops: number) => Promise<number> {
  const slot = globalThis as Record<symbol, unknown>;
  return async (loops) => {
    slot[Symbol.for(LOOPS)] = loops;
    let milliseconds: number;
    try {
      milliseconds = (await timer.run()) as number;
    } finally {
      delete slot[Symbol.for(LOOPS)];
    }
    await yieldToEventLoop();
    if (ctx.signal.aborted) throw new KeyboardInterrupt();
    return milliseconds / 1000;
  };
}

export const timeitMagic: MagicSpec = {
  name: "timeit",
  kind: "both",
  arguments: "statement",
  cellArguments: "[setup]",
  help:
    "Times a statement: R runs of N loops each, and reports the mean and standard deviation\n" +
    "per loop. Without -n, N is chosen as IPython does: 1, 2, 5, 10, 20, 50... until a run takes\n" +
    "at least 0.2 s (those runs warm the code up); with -n, one run is made and dropped first.\n" +
    "In the cell form, the rest of the first line is setup code, run before each run's loops;\n" +
    "its variables are local to the timing and do not reach the notebook.",
  args: "code",
  options: {
    number: { type: "number", short: "n", help: "loops per run (default: automatic)" },
    repeat: { type: "number", short: "r", value: "R", default: 7, help: "number of runs" },
    quiet: { type: "boolean", short: "q", help: "print nothing" },
    output: { type: "boolean", short: "o", help: "return the TimeitResult (best, worst, average, stdev, loops, repeat, all_runs) as the cell's value" },
  },
  async run(ctx, args) {
    const repeat = wholeNumber(ctx, "-r", args.options.repeat) as number;
    const requested = wholeNumber(ctx, "-n", args.options.number);
    const cell = args.invokedAs === "cell";
    const statement = cell ? args.body ?? "" : args.rest;
    if (statement.trim() === "") ctx.usageError("nothing to time: give a statement after the magic (or a cell body for the cell form)");
    const compileStart = performance.now();
    const timer = await ctx.compileCode(timerSource(cell ? args.rest : "", statement, args.invokedAs));
    const compileSeconds = (performance.now() - compileStart) / 1000;
    const timeRun = runner(ctx, timer);
    let loops: number;
    if (requested === undefined) {
      loops = await autorange(timeRun);
    } else {
      loops = requested;
      await timeRun(loops); // warm-up, not reported
    }
    const allRuns: number[] = [];
    for (let r = 0; r < repeat; r++) allRuns.push(await timeRun(loops));
    const result = new TimeitResult(loops, repeat, allRuns, compileSeconds);
    if (!args.options.quiet) {
      const { best, worst } = result;
      if (worst > 4 * best && best > 0 && worst > 1e-6) {
        ctx.print(`The slowest run took ${(worst / best).toFixed(2)} times longer than the fastest. This could mean that an intermediate result is being cached.`);
      }
      ctx.print(result.toString());
      // IPython's threshold is 0.1 s; type-checking alone takes about that here, so only say it when it stands out.
      if (compileSeconds > 0.5) ctx.print(`Compiler time: ${compileSeconds.toFixed(2)} s`);
    }
    return args.options.output ? result : undefined;
  },
};
