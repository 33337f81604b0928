/** `seqlab bench <what> ...`: benchmarks (speed reports, never tests). */
const benches: Record<string, () => { main(argv: string[]): Promise<number> }> = {
  lstm: () => require("./lstm"),
  kernel: () => require("./kernel"),
  checker: () => require("./checker"),
  parity: () => require("./parity"),
  torch: () => require("./torch"),
};

export async function runBench(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  const load = what ? benches[what] : undefined;
  if (!load) {
    process.stderr.write(`usage: seqlab bench {${Object.keys(benches).join("|")}} [options]\n`);
    return 2;
  }
  return load().main(rest);
}
