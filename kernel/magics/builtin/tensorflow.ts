/** %backend and %memory: thin adapters over lib/backend.ts (loaded on first use: TensorFlow.js is heavy). */
import type { MagicSpec } from "../types";

type BackendModule = typeof import("../../../lib/backend");
type BackendInfo = import("../../../lib/backend").BackendInfo;

async function backendModule(): Promise<BackendModule> {
  return import("../../../lib/backend");
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export const backendMagic: MagicSpec = {
  name: "backend",
  kind: "line",
  usage: "%backend [tensorflow|wasm|cpu]",
  help: "Shows the TensorFlow.js backend in use, why it was chosen and which are available;\nwith a name, switches to that backend.",
  async run(ctx, args) {
    if (args.positionals.length > 1) ctx.usageError(`expected at most one backend name, got ${args.positionals.join(" ")}`);
    const lib = await backendModule();
    const info: BackendInfo =
      args.positionals.length === 1
        ? await lib.useBackend(args.positionals[0]).catch((err: Error) => ctx.usageError(err.message))
        : await lib.ready();
    const lines = [
      `TensorFlow.js backend: ${info.name}`,
      `Why: ${info.reason}`,
      `Available: ${info.available.join(", ")}`,
      `seqlab kernels: ${info.kernels.reason}`,
      ...info.fallbacks.map((f) => `Fallback: ${f}`),
    ];
    ctx.print(lines.join("\n"));
    return undefined;
  },
};

export const memoryMagic: MagicSpec = {
  name: "memory",
  kind: "line",
  usage: "%memory",
  help: "Shows how many tensors are alive on the current TensorFlow.js backend and the bytes they hold.",
  positionals: false,
  async run(ctx) {
    const lib = await backendModule();
    await lib.ready();
    const m = lib.memoryInfo();
    ctx.print(`Tensors: ${m.numTensors}\nBytes: ${m.numBytes} (${formatBytes(m.numBytes)})`);
    return undefined;
  },
};
