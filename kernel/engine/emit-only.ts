/**
 * The TypeScript 5 converter that only compiles (global types "none", toolchain.ts): cells
 * that TypeScript 7 has type-checked (native-checking.ts) become JavaScript and declarations
 * for the next cell, without reading the standard library or any package's declarations.
 */
import type * as TS from "@tslab/typescript-for-tslab";
import type { Converter } from "tslab/dist/converter";

type TypeScript = typeof TS;

/**
 * Global types for the "none" converter, which reads no library: TypeScript refuses to emit a
 * cell's declarations when one of them names a type it cannot resolve (an annotation's
 * `Record<string, number>`, an async function's Promise), and later cells would then lose the
 * cell's names. So the converter sees empty shells: those TypeScript's checker itself looks up
 * (EMIT_ONLY_GLOBALS), and `any` for every other type name the cell writes (`Record`,
 * `Float32Array`, `NodeJS.ProcessEnv`, ...). A cell's own or imported names shadow these global
 * ones, so an extra shell changes nothing. All in a `declare global` block (as the kernel's
 * prelude), so none is carried as the cell's own declarations.
 */
function emitOnlyGlobals(ts: TypeScript, source: string): string {
  const shells = new Map<string, Set<string>>(); // a type name -> members used as Name.Member
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const visit = (node: TS.Node): void => {
    const name = ts.isTypeReferenceNode(node) ? node.typeName : ts.isExpressionWithTypeArguments(node) && ts.isIdentifier(node.expression) ? node.expression : undefined;
    if (name && ts.isIdentifier(name) && !BUILT_IN_SHELLS.has(name.text)) shells.set(name.text, shells.get(name.text) ?? new Set());
    if (name && ts.isQualifiedName(name) && ts.isIdentifier(name.left)) {
      const members = shells.get(name.left.text) ?? new Set<string>();
      shells.set(name.left.text, members.add(name.right.text));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  const anyType = "<A = any, B = any, C = any, D = any, E = any> = any;";
  const lines = [...shells].map(([name, members]) =>
    members.size === 0 ? `  type ${name}${anyType}` : `  namespace ${name} { ${[...members].map((member) => `type ${member}${anyType}`).join(" ")} }`,
  );
  return EMIT_ONLY_GLOBALS.replace("declare global {\n", `declare global {\n${lines.join("\n")}${lines.length ? "\n" : ""}`);
}

/** Global types declared in EMIT_ONLY_GLOBALS itself (their shells would clash). */
const BUILT_IN_SHELLS = new Set(
  "Array ReadonlyArray TemplateStringsArray Boolean Function CallableFunction NewableFunction IArguments Number Object RegExp String Symbol PromiseLike Promise Iterable Iterator IterableIterator AsyncIterable AsyncIterator AsyncIterableIterator Generator AsyncGenerator ImportMeta".split(" "),
);

/**
 * The global types TypeScript's checker looks up itself, as empty shells (see emitOnlyGlobals).
 * Types only: a global value declared here would be taken for an earlier cell's (tslab's emit
 * reads every name declared beside the earlier cells' declarations as one of theirs).
 */
const EMIT_ONLY_GLOBALS = `declare global {
  interface Array<T> { length: number; [n: number]: T }
  interface ReadonlyArray<T> { readonly length: number; readonly [n: number]: T }
  interface TemplateStringsArray extends ReadonlyArray<string> { readonly raw: readonly string[] }
  interface Boolean {}
  interface Function {}
  interface CallableFunction {}
  interface NewableFunction {}
  interface IArguments {}
  interface Number {}
  interface Object {}
  interface RegExp {}
  interface String {}
  interface Symbol {}
  interface PromiseLike<T> { then(onfulfilled?: (value: T) => unknown, onrejected?: (reason: any) => unknown): PromiseLike<unknown> }
  interface Promise<T> { then(onfulfilled?: (value: T) => unknown, onrejected?: (reason: any) => unknown): Promise<unknown> }
  interface Iterable<T> {}
  interface Iterator<T, TReturn = any, TNext = undefined> {}
  interface IterableIterator<T> extends Iterator<T> {}
  interface AsyncIterable<T> {}
  interface AsyncIterator<T, TReturn = any, TNext = undefined> {}
  interface AsyncIterableIterator<T> extends AsyncIterator<T> {}
  interface Generator<T = unknown, TReturn = any, TNext = unknown> extends Iterator<T, TReturn, TNext> {}
  interface AsyncGenerator<T = unknown, TReturn = any, TNext = unknown> extends AsyncIterator<T, TReturn, TNext> {}
  interface ImportMeta {}
}
export {};
`;

/**
 * Module resolution for the "none" converter: the cell's own modules (relative paths, which
 * it compiles along with the cell) resolve; packages stay unresolved, so none of their
 * declarations is read (their imports are kept when used as values, as with types).
 */
export function relativeModulesOnly(ts: TypeScript, host: TS.ModuleResolutionHost) {
  return (literals: readonly TS.StringLiteralLike[], containingFile: string, _redirected: unknown, options: TS.CompilerOptions): TS.ResolvedModuleWithFailedLookupLocations[] =>
    literals.map((literal) =>
      /^\.\.?(\/|$)/.test(literal.text) ? ts.resolveModuleName(literal.text, containingFile, options, host) : { resolvedModule: undefined },
    );
}

/**
 * Makes `converter` compile only: each cell with the shells its declarations need (see
 * emitOnlyGlobals), and never with its names lost.
 */
export function compilingOnly(ts: TypeScript, converter: Converter): void {
  const convert = converter.convert.bind(converter);
  converter.convert = (prevDecl, src) => {
    const converted = convert(emitOnlyGlobals(ts, src) + prevDecl, src);
    // tslab appends the earlier declarations to this cell's emitted ones even when their emit
    // was blocked (giving "undefined..."): later cells would lose this cell's names.
    if (converted.output !== undefined && (converted.declOutput === undefined || converted.declOutput.startsWith("undefined"))) {
      throw new Error("TypeScript 5 could not emit this cell's declarations without type information; run the kernel with SEQLAB_TYPESCRIPT=5 (and report the cell)");
    }
    return converted;
  };
}

/** Compiling only: another checker (TypeScript 7's, cell-project.ts) has checked the cell. */
export function syntaxErrorsOnly(program: TS.Program, files: readonly TS.SourceFile[]): TS.Diagnostic[] {
  return files.flatMap((file) => program.getSyntacticDiagnostics(file));
}
