/** %time / %%time, reporting like IPython. */
import { formatDuration } from "../timefmt";
import type { MagicContext, MagicSpec } from "../types";

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
