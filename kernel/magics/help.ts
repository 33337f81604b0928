/** Help text for magics (%name?, %name??) and the %lsmagic listing, worded like IPython's. */
import type { MagicRegistry } from "./registry";
import type { MagicOption, MagicSpec } from "./types";

/** An option's value placeholder: its declared one, N for numbers, else its name in capitals. */
function placeholder(name: string, option: MagicOption): string {
  return option.value ?? (option.type === "number" ? "N" : name.toUpperCase().replace(/-/g, "_"));
}

/** "[-n N] [--lr N] [--fresh]": every declared option, as argparse writes a usage line. */
function optionsSynopsis(spec: MagicSpec): string {
  return Object.entries(spec.options ?? {})
    .map(([name, o]) => `[${o.short ? `-${o.short}` : `--${name}`}${o.type === "boolean" ? "" : ` ${placeholder(name, o)}`}]`)
    .join(" ");
}

/**
 * The magic's usage line. Made from its declared options and `arguments` (so it never
 * misses an option), or the `usage` written out for magics that declare no arguments.
 */
export function usageLine(spec: MagicSpec): string {
  if (spec.arguments === undefined) return spec.usage ?? `%${spec.kind === "cell" ? "%" : ""}${spec.name}`;
  const form = (prefix: string, rest: string) => [`${prefix}${spec.name}`, optionsSynopsis(spec), rest].filter((part) => part !== "").join(" ");
  if (spec.kind === "both" && spec.cellArguments !== undefined) return `${form("%", spec.arguments)}  |  ${form("%%", spec.cellArguments)}`;
  return form(spec.kind === "cell" ? "%%" : "%", spec.arguments);
}

function optionLines(spec: MagicSpec): string[] {
  const entries = Object.entries(spec.options ?? {});
  if (entries.length === 0) return [];
  const rows = entries.map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "boolean" ? "" : ` ${placeholder(name, o)}`}`;
    const def = o.default !== undefined ? ` (default: ${String(o.default)})` : "";
    return { flag, text: `${o.help}${def}` };
  });
  const width = Math.max(...rows.map((r) => r.flag.length));
  return ["", "Options:", ...rows.map((r) => `  ${r.flag.padEnd(width)}  ${r.text}`)];
}

/** The pager text for %name? (level 1) or %name?? (level 2, adds the source). */
export function magicHelp(spec: MagicSpec, level: 1 | 2): string {
  const kinds = spec.kind === "both" ? "line and cell magic" : `${spec.kind} magic`;
  const lines = [`Docstring:`, `  ${usageLine(spec)}`, "", ...spec.help.split("\n").map((l) => (l ? `  ${l}` : "")), ...optionLines(spec), "", `Type: ${kinds}`];
  if (level === 2) {
    lines.push("", "Source:", spec.run.toString());
  }
  return lines.join("\n");
}

/** %lsmagic: every magic with its prefix, line magics then cell magics. */
export function listMagics(registry: MagicRegistry): string {
  const line = registry.lineNames().map((n) => `%${n}`);
  const cell = registry.cellNames().map((n) => `%%${n}`);
  return [
    `Available line magics:`,
    line.join("  "),
    "",
    `Available cell magics:`,
    cell.join("  "),
    "",
    "Automagic is OFF, % prefix IS needed for line magics.",
  ].join("\n");
}
