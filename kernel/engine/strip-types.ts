/**
 * TypeScript to JavaScript without TypeScript: sucrase removes the types (and turns enums and
 * parameter properties into code), keeping every line where it was, with a source map. It
 * checks nothing: TypeScript 7 has checked the cell (native-checking.ts), or checks it later
 * (unchecked-cells.ts). Sucrase erases every `namespace`, so one that holds values is
 * refused here rather than lost.
 */
import { transform } from "sucrase";
// Sucrase's parser, for its tokens (its types live apart from its code).
const { parse } = require("sucrase/dist/parser") as typeof import("sucrase/dist/types/parser");
const { TokenType } = require("sucrase/dist/parser/tokenizer/types") as typeof import("sucrase/dist/types/parser/tokenizer/types");
const { ContextualKeyword } = require("sucrase/dist/parser/tokenizer/keywords") as typeof import("sucrase/dist/types/parser/tokenizer/keywords");

export interface StrippedCode {
  js: string;
  /** Source map (JSON) from `js` to the TypeScript. */
  map: string;
}

/** A syntax error at `start` (an offset in the TypeScript). */
export class StripError extends Error {
  constructor(
    message: string,
    readonly start: number,
  ) {
    super(message);
  }
}

const DECLARES_VALUES = new Set([TokenType._const, TokenType._let, TokenType._var, TokenType._function, TokenType._class]);

/** The offset of a `namespace` (or `module`) block that declares values, if any. */
function namespaceWithValues(source: string): number | undefined {
  if (!/\b(?:namespace|module)\b/.test(source)) return undefined;
  const { tokens } = parse(source, false, true, false);
  for (let i = 0; i < tokens.length; i++) {
    const keyword = tokens[i].contextualKeyword;
    if (keyword !== ContextualKeyword._namespace && keyword !== ContextualKeyword._module) continue;
    if (tokens[i - 1]?.contextualKeyword === ContextualKeyword._declare || tokens[i + 1]?.type !== TokenType.name) continue;
    let open = i + 1;
    while (open < tokens.length && tokens[open].type !== TokenType.braceL) open++;
    for (let depth = 0, j = open; j < tokens.length; j++) {
      if (tokens[j].type === TokenType.braceL) depth++;
      else if (tokens[j].type === TokenType.braceR && --depth === 0) break;
      else if (DECLARES_VALUES.has(tokens[j].type) || tokens[j].contextualKeyword === ContextualKeyword._enum) return tokens[i].start;
    }
  }
  return undefined;
}

/** `source` (a cell, or an expression) as JavaScript; throws StripError on a syntax error. */
export function stripTypes(source: string, fileName = "cell.ts"): StrippedCode {
  let result;
  try {
    result = transform(source, {
      transforms: ["typescript"],
      disableESTransforms: true,
      // A cell's imports are kept whether or not it uses them: later cells may.
      keepUnusedImports: true,
      filePath: fileName,
      sourceMapOptions: { compiledFilename: fileName.replace(/\.tsx?$/, ".js") },
    });
  } catch (err) {
    const { message, pos } = err as { message?: string; pos?: number };
    if (typeof pos !== "number") throw err;
    throw new StripError(String(message).replace(/^Error transforming \S+: /, "").replace(/ \(\d+:\d+\)$/, ""), pos);
  }
  refuseNamespaceWithValues(source);
  return { js: result.code, map: JSON.stringify(result.sourceMap) };
}

function refuseNamespaceWithValues(source: string, fileName?: string): void {
  const namespace = namespaceWithValues(source);
  if (namespace === undefined) return;
  const where = fileName ? `${fileName}: ` : "";
  throw new StripError(`${where}A namespace that declares values is not supported here (its code would be dropped). Use an object or a class with static members instead, or run the kernel with SEQLAB_TYPESCRIPT=5.`, namespace);
}

/** A module's TypeScript as CommonJS (a local file a cell imports). */
export function typeScriptModuleToCommonJS(source: string, fileName: string): string {
  refuseNamespaceWithValues(source, fileName);
  return transform(source, { transforms: ["typescript", "imports"], disableESTransforms: true, filePath: fileName }).code;
}
