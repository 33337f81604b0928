/** What %timeit -o returns: IPython's TimeitResult, with the same fields. */
import { DISPLAY } from "../../../lib/runtime";
import { meanAndStd, timeitReport } from "../timefmt";

export class TimeitResult {
  /** Seconds per loop, one per run. */
  readonly timings: number[];
  readonly best: number;
  readonly worst: number;
  readonly average: number;
  readonly stdev: number;

  constructor(
    /** Loops per run. */
    readonly loops: number,
    /** Number of runs. */
    readonly repeat: number,
    /** Seconds of each whole run (all its loops), as IPython's all_runs. */
    readonly all_runs: number[],
    /** Seconds spent compiling the statement. */
    readonly compile_time: number,
  ) {
    this.timings = all_runs.map((seconds) => seconds / loops);
    this.best = Math.min(...this.timings);
    this.worst = Math.max(...this.timings);
    const { mean, std } = meanAndStd(this.timings);
    this.average = mean;
    this.stdev = std;
  }

  toString(): string {
    return timeitReport(this.timings, this.loops);
  }

  [DISPLAY](): Record<string, string> {
    return { "text/plain": `<TimeitResult : ${this.toString()}>` };
  }
}
