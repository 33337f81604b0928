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
 * - with global types "none", it only compiles cells another checker has accepted
 *   (emit-only.ts);
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
import { compilingOnly, relativeModulesOnly, syntaxErrorsOnly } from "./emit-only";

export type TypeScript = typeof TS;

/** Source maps of one emitted JS text: CommonJS -> ESM JS -> TypeScript. */
export interface EmitMaps {
  /** Map of the ESM JS emitted from the .ts file (sources: the .ts file). */
  first?: string;
  /** Map of the CommonJS text made from that ESM JS. */
  second?: string;
  /** Lines before the cell's own in the first map's source: 1 for tslab's `export {};` (the default), 0 without. */
  cellLineOffset?: number;
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
  if (globalTypes === "none") overrides.getPreEmitDiagnosticsOfFiles = syntaxErrorsOnly;
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
  if (globalTypes === "none") compilingOnly(ts, converter);
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
