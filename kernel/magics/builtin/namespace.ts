/** %who, %whos and %reset: the notebook's variables. */
import { isTensorLike, plainText } from "../../engine/display";
import type { MagicContext, MagicSpec } from "../types";

/** A short type name for tables: "number", "Tensor", "Array", "function", a class name. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (isTensorLike(value)) return "Tensor";
  if (Array.isArray(value)) return "Array";
  if (typeof value === "function") return /^class[\s{]/.test(Function.prototype.toString.call(value)) ? "class" : "function";
  if (typeof value === "object") return (value as { constructor?: { name?: string } }).constructor?.name || "Object";
  return typeof value;
}

/** One line saying what a value holds; tensors give shape and dtype. */
export function dataInfo(value: unknown, width = 60): string {
  if (isTensorLike(value)) {
    return value.isDisposed ? `disposed, shape [${value.shape.join(", ")}], ${value.dtype}` : `shape [${value.shape.join(", ")}], ${value.dtype}`;
  }
  if (Array.isArray(value) && value.length > 10) return `length ${value.length}`;
  if (typeof value === "function") return `${value.name || "(anonymous)"}(${value.length} parameter${value.length === 1 ? "" : "s"})`;
  const text = plainText(value).replace(/\s*\n\s*/g, " ");
  return text.length > width ? `${text.slice(0, width - 3)}...` : text;
}

function userNames(namespace: Record<string, unknown>, types: string[]): string[] {
  const wanted = new Set(types.map((t) => t.toLowerCase()));
  return Object.keys(namespace)
    .filter((name) => wanted.size === 0 || wanted.has(typeName(namespace[name]).toLowerCase()))
    .sort();
}

/** The variables %who/%whos list; when there are none, says so as IPython does. */
function listedNames(ctx: MagicContext, types: string[]): string[] {
  const names = userNames(ctx.namespace, types);
  if (names.length === 0) ctx.print(types.length ? "No variables match your requested type." : "Interactive namespace is empty.");
  return names;
}

export const whoMagic: MagicSpec = {
  name: "who",
  kind: "line",
  usage: "%who [TYPE ...]",
  help: "Lists the notebook's variables, optionally only those of the given types (e.g. %who Tensor number).",
  run(ctx, args) {
    const names = listedNames(ctx, args.positionals);
    if (names.length === 0) return undefined;
    ctx.print(names.join("\t"));
    return undefined;
  },
};

export const whosMagic: MagicSpec = {
  name: "whos",
  kind: "line",
  usage: "%whos [TYPE ...]",
  help: "A table of the notebook's variables with their types and data; tensors show shape and dtype.",
  run(ctx, args) {
    const names = listedNames(ctx, args.positionals);
    if (names.length === 0) return undefined;
    const rows = names.map((name) => [name, typeName(ctx.namespace[name]), dataInfo(ctx.namespace[name])]);
    const header = ["Variable", "Type", "Data/Info"];
    const widths = [0, 1].map((i) => Math.max(header[i].length, ...rows.map((r) => r[i].length)) + 3);
    const line = (r: string[]) => `${r[0].padEnd(widths[0])}${r[1].padEnd(widths[1])}${r[2]}`;
    const table = [line(header), "-".repeat(widths[0] + widths[1] + Math.max(9, ...rows.map((r) => r[2].length))), ...rows.map(line)];
    ctx.print(table.join("\n"));
    return undefined;
  },
};

export const resetMagic: MagicSpec = {
  name: "reset",
  kind: "line",
  arguments: "",
  help: "Forgets every variable and declaration defined by cells (magics and imports of lib stay loaded).\nAsks for confirmation unless -f is given.",
  options: { force: { type: "boolean", short: "f", help: "do not ask for confirmation" } },
  positionals: false,
  async run(ctx, args) {
    if (!args.options.force) {
      let answer = "";
      try {
        answer = await ctx.host.input("Once deleted, variables cannot be recovered. Proceed (y/[n])? ", false);
      } catch (err) {
        ctx.usageError(`cannot ask for confirmation (${(err as Error).message}); use %reset -f`);
      }
      if (!/^y(es)?$/i.test(answer.trim())) {
        ctx.print("Nothing done.");
        return undefined;
      }
    }
    ctx.resetNamespace();
    return undefined;
  },
};
