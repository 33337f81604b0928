/** Durations written the way IPython's %time and %timeit write them. */

const UNITS = ["s", "ms", "µs", "ns"];
const SCALE = [1, 1e3, 1e6, 1e9];

/** `%.{precision}g` of C's printf for the magnitudes used here. */
function significant(value: number, precision: number): string {
  if (value === 0) return "0";
  const fixed = Number(value.toPrecision(precision));
  return String(fixed);
}

/** Seconds as "1.23 ms", "12.3 s", "2min 5s" (IPython's _format_time). */
export function formatDuration(seconds: number, precision = 3): string {
  if (seconds >= 60) {
    const parts: Array<[string, number]> = [["d", 86400], ["h", 3600], ["min", 60], ["s", 1]];
    const out: string[] = [];
    let left = seconds;
    for (const [suffix, length] of parts) {
      const value = Math.floor(left / length);
      if (value > 0) {
        left = left % length;
        out.push(`${value}${suffix}`);
      }
      if (left < 1) break;
    }
    return out.join(" ");
  }
  // Python's -(floor(log10(t)) // 3): 1 for milliseconds, 2 for microseconds...
  const order = seconds > 0 ? Math.min(-Math.floor(Math.floor(Math.log10(seconds)) / 3), 3) : 3;
  const o = Math.max(0, order);
  return `${significant(seconds * SCALE[o], precision)} ${UNITS[o]}`;
}

/** Mean and population standard deviation (as IPython's TimeitResult). */
export function meanAndStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

/** "1.2 ms ± 30.1 µs per loop (mean ± std. dev. of 7 runs, 1,000 loops each)" */
export function timeitReport(perLoop: number[], loops: number): string {
  const { mean, std } = meanAndStd(perLoop);
  const runs = perLoop.length;
  return (
    `${formatDuration(mean)} ± ${formatDuration(std)} per loop ` +
    `(mean ± std. dev. of ${runs} run${runs === 1 ? "" : "s"}, ${loops.toLocaleString("en-US")} loop${loops === 1 ? "" : "s"} each)`
  );
}
