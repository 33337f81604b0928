/**
 * Loads tslab's TypeScript converter (type checking, declarations carried across cells,
 * top-level await, completion, quick info) with these adjustments made through the
 * TypeScript module it sees, never by editing tslab:
 *
 * - its first emit (TS -> ESM JS) carries an inline source map, and its second pass
 *   (ESM -> CommonJS, `ts.transpileModule`) produces one too, so runtime positions can be
 *   traced back to the cell's TypeScript;
 * - the second pass runs our interrupt instrumentation (see instrument.ts);
 * - both checkers read declaration files with plain comments for doc comments, and quick
 *   info restores those it shows (doc-comments.ts);
 * - each cell's program is a plain Program, not TypeScript's incremental builder (see
 *   light-program.ts);
 * - `seqlab` and `@tensorflow/*` resolve for the type checker to the packages execution
 *   loads (packages.ts), from any folder, and the root directory is ours rather than
 *   whatever process.cwd() is.
 */
import Module from "module";
import fs from "fs";
import path from "path";
import type * as TS from "@tslab/typescript-for-tslab";
import type { Converter } from "tslab/dist/converter";
import { RUNTIME_GLOBAL, createInterruptTransformer } from "./instrument";
import { readingCellExports } from "./export-suffix";
import { cellPathMappings } from "./packages";
import { requireWithCodeCache } from "./code-cache";
import { createLightProgram } from "./light-program";
import { readingPlainComments, withDocsAt, type PlainCommentReader } from "./doc-comments";

export type TypeScript = typeof TS;

/** Source maps of one emitted JS text: CommonJS -> ESM JS -> TypeScript. */
export interface EmitMaps {
  /** Map of the ESM JS emitted from the .ts file (sources: the .ts file). */
  first?: string;
  /** Map of the CommonJS text made from that ESM JS. */
  second?: string;
}

export interface Toolchain {
  ts: TypeScript;
  converter: Converter;
  /** Maps recorded for each CommonJS text the converter produced. */
  mapsFor(js: string): EmitMaps | undefined;
  /** tslab's completeness check (unclosed brackets etc.). */
  isCompleteCode(src: string): { completed: boolean; indent?: string };
}

const INLINE_MAP = /\n?\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;
const ANY_MAP_COMMENT = /\n?\/\/# sourceMappingURL=\S+\s*$/;

/**
 * A view of the TypeScript module with our overrides. tslab's modules read `ts.x` through
 * getters, and the real module's properties are not configurable, so we hand tslab a
 * copy whose other properties forward to the real module.
 */
function tsForTslab(ts: TypeScript, rootDir: string, maps: Map<string, EmitMaps>, globalTypes: GlobalTypes): TypeScript {
  const overrides: Record<string, unknown> = {};
  const sys = Object.create(ts.sys) as TS.System;
  sys.getCurrentDirectory = () => rootDir;
  // tslab's converter keeps a single slot for TypeScript's rebuild timer and throws when a
  // file or directory watcher schedules a second one (files created next to the notebook,
  // packages installed). That throw would come from a timer and end the kernel; the next
  // cell rebuilds anyway, so such a refused schedule is dropped.
  const guard =
    <A extends unknown[]>(callback: (...args: A) => void) =>
    (...args: A) => {
      try {
        callback(...args);
      } catch (err) {
        if (!/rebuildTimer|unexpected tiemr|unexpected timer/i.test(String((err as Error)?.message))) throw err;
      }
    };
  if (ts.sys.watchDirectory) {
    const watchDirectory = ts.sys.watchDirectory.bind(ts.sys);
    sys.watchDirectory = (dir, callback, recursive, options) => watchDirectory(dir, guard(callback), recursive, options);
  }
  if (ts.sys.watchFile) {
    const watchFile = ts.sys.watchFile.bind(ts.sys);
    sys.watchFile = (file, callback, interval, options) => watchFile(file, guard(callback), interval, options);
  }
  overrides.sys = sys;

  const mappings = cellPathMappings();
  const createProgram = createLightProgram(ts);
  let reader: PlainCommentReader | undefined;
  overrides.createWatchCompilerHost = (roots: string[], options: TS.CompilerOptions, system: TS.System, _createProgram: unknown, ...rest: unknown[]) => {
    const extra: TS.CompilerOptions = { inlineSourceMap: true, paths: { ...(options.paths ?? {}), ...mappings } };
    if (globalTypes !== "all") extra.types = [];
    if (globalTypes === "none") extra.noLib = true;
    reader = readingPlainComments(readingCellExports(system), path.dirname(ts.getDefaultLibFilePath(options)));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const host = (ts.createWatchCompilerHost as any)(roots, { ...options, ...extra }, reader.system, createProgram, ...rest) as TS.WatchCompilerHostOfFilesAndCompilerOptions<TS.BuilderProgram>;
    if (globalTypes === "none") host.resolveModuleNameLiterals = relativeModulesOnly(ts, host);
    return host;
  };
  // Compiling only: another checker (TypeScript 7's, cell-project.ts) has checked the cell.
  if (globalTypes === "none") {
    overrides.getPreEmitDiagnosticsOfFiles = (program: TS.Program, files: readonly TS.SourceFile[]) => files.flatMap((file) => program.getSyntacticDiagnostics(file));
  }
  overrides.getQuickInfoAtPosition = (sourceFile: TS.SourceFile, checker: TS.TypeChecker, token: unknown, position: number) => {
    if (reader) withDocsAt(ts, reader, sourceFile, checker, position);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (ts as any).getQuickInfoAtPosition(sourceFile, checker, token, position);
  };
  overrides.transpileModule = (input: string, options: TS.TranspileOptions): TS.TranspileOutput => {
    const inline = INLINE_MAP.exec(input);
    const first = inline ? Buffer.from(inline[1], "base64").toString("utf8") : undefined;
    const source = inline ? input.slice(0, inline.index) : input;
    const result = ts.transpileModule(source, {
      ...options,
      compilerOptions: { ...options.compilerOptions, sourceMap: true, inlineSourceMap: false },
      transformers: { before: [createInterruptTransformer(ts, RUNTIME_GLOBAL)] },
    });
    const outputText = result.outputText.replace(ANY_MAP_COMMENT, "\n");
    maps.set(outputText, { first, second: result.sourceMapText });
    return { ...result, outputText };
  };

  const view = {} as Record<string, unknown>;
  for (const key of Object.keys(ts)) {
    if (key in overrides) continue;
    Object.defineProperty(view, key, { enumerable: true, get: () => (ts as unknown as Record<string, unknown>)[key] });
  }
  for (const [key, value] of Object.entries(overrides)) {
    Object.defineProperty(view, key, { enumerable: true, value });
  }
  return view as unknown as TypeScript;
}

/** Loads a module file of tslab with `@tslab/typescript-for-tslab` replaced by `tsView`. */
function loadTslabModule(file: string, tsView: TypeScript): Record<string, unknown> {
  const mod = new Module(file, module);
  mod.filename = file;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  mod.paths = (Module as any)._nodeModulePaths(path.dirname(file));
  const base = Module.createRequire(file);
  const req = ((id: string) => (id === "@tslab/typescript-for-tslab" ? tsView : base(id))) as NodeJS.Require;
  mod.require = req;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (mod as any)._compile(fs.readFileSync(file, "utf8"), file);
  return mod.exports as Record<string, unknown>;
}

/**
 * The global declarations the type checker knows: "all" of the @types packages found from
 * the root directory (@types/node among them), as tslab has it, or the "standard-library"
 * alone (no @types package is parsed; imported packages still bring their own types), or
 * "none": a converter that compiles cells another checker has type-checked, reading no
 * declaration file at all (no standard library, no packages' types) and reporting syntax
 * errors only. Compiling needs no types: tslab's emit asks the checker only which names come
 * from earlier cells' declarations (which it has) and which imports are used as values.
 */
export type GlobalTypes = "all" | "standard-library" | "none";

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
function relativeModulesOnly(ts: TypeScript, host: TS.ModuleResolutionHost) {
  return (literals: readonly TS.StringLiteralLike[], containingFile: string, _redirected: unknown, options: TS.CompilerOptions): TS.ResolvedModuleWithFailedLookupLocations[] =>
    literals.map((literal) =>
      /^\.\.?(\/|$)/.test(literal.text) ? ts.resolveModuleName(literal.text, containingFile, options, host) : { resolvedModule: undefined },
    );
}

/** Synchronous and slow (about a second; a third of it with the standard library alone). */
export function loadToolchain(rootDir: string, globalTypes: GlobalTypes = "all"): Toolchain {
  const ts = requireWithCodeCache(require.resolve("@tslab/typescript-for-tslab"), globalTypes) as TypeScript;
  const maps = new Map<string, EmitMaps>();
  const view = tsForTslab(ts, rootDir, maps, globalTypes);
  const converterModule = loadTslabModule(require.resolve("tslab/dist/converter.js"), view) as {
    createConverter(): Converter;
    isCompleteCode(src: string): { completed: boolean; indent?: string };
  };
  const converter = converterModule.createConverter();
  if (globalTypes === "none") {
    const convert = converter.convert.bind(converter);
    converter.convert = (prevDecl, src) => {
      const converted = convert(emitOnlyGlobals(ts, src) + prevDecl, src);
      // tslab appends the earlier declarations to this cell's emitted ones even when their emit
      // was blocked (giving "undefined..."): later cells would lose this cell's names.
      if (converted.output !== undefined && (converted.declOutput === undefined || converted.declOutput.startsWith("undefined"))) {
        throw new Error("TypeScript 5 could not emit this cell's declarations without type information; run it with SEQLAB_TYPESCRIPT unset (and report the cell)");
      }
      return converted;
    };
  }
  return {
    ts,
    converter,
    mapsFor(js: string) {
      const found = maps.get(js);
      // Keep the table small: one conversion's texts are looked up right after it.
      if (maps.size > 64) maps.clear();
      return found;
    },
    isCompleteCode: converterModule.isCompleteCode,
  };
}
