/**
 * tslab exports a cell's top-level names by appending `export {a, b}` to the cell file,
 * built from the keys of TypeScript's symbol table. Those keys are escaped: a name that
 * starts with "__" is stored with one more "_" ("__m" -> "___m"), so `const __m = 1`
 * failed with "Cannot find name '___m'". The suffix is un-escaped when TypeScript reads
 * the cell file (tslab's own code cannot be changed).
 */
import path from "path";
import type * as TS from "@tslab/typescript-for-tslab";

/** The file tslab compiles each cell as. */
const CELL_FILE = "__tslab__.ts";
const EXPORT_SUFFIX = /\nexport \{([\w$, ]*)\}$/;

/** TypeScript's unescapeLeadingUnderscores for each name of a trailing `export {...}`. */
export function unescapeExportSuffix(text: string): string {
  return text.replace(EXPORT_SUFFIX, (_, names: string) => {
    const fixed = names.split(", ").map((name) => (name.startsWith("___") ? name.slice(1) : name));
    return `\nexport {${fixed.join(", ")}}`;
  });
}

/** `system` whose readFile un-escapes the export suffix of the cell file. */
export function readingCellExports(system: TS.System): TS.System {
  const wrapped = Object.create(system) as TS.System;
  wrapped.readFile = (file, encoding) => {
    const text = system.readFile(file, encoding);
    return text !== undefined && path.basename(file) === CELL_FILE ? unescapeExportSuffix(text) : text;
  };
  return wrapped;
}
