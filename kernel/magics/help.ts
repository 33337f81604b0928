/** Help text for magics (%name?, %name??) and the %lsmagic listing, worded like IPython's. */
import type { MagicRegistry } from "./registry";
import type { MagicSpec } from "./types";

function optionLines(spec: MagicSpec): string[] {
  const entries = Object.entries(spec.options ?? {});
  if (entries.length === 0) return [];
  const rows = entries.map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "boolean" ? "" : ` ${o.type === "number" ? "N" : "VALUE"}`}`;
    const def = o.default !== undefined ? ` (default: ${String(o.default)})` : "";
    return { flag, text: `${o.help}${def}` };
  });
  const width = Math.max(...rows.map((r) => r.flag.length));
  return ["", "Options:", ...rows.map((r) => `  ${r.flag.padEnd(width)}  ${r.text}`)];
}

/** The pager text for %name? (level 1) or %name?? (level 2, adds the source). */
export function magicHelp(spec: MagicSpec, level: 1 | 2): string {
  const kinds = spec.kind === "both" ? "line and cell magic" : `${spec.kind} magic`;
  const lines = [`Docstring:`, `  ${spec.usage}`, "", ...spec.help.split("\n").map((l) => (l ? `  ${l}` : "")), ...optionLines(spec), "", `Type: ${kinds}`];
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
