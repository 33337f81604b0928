/**
 * Compiling a piece of cell TypeScript with tslab's converter and running it with vm, in
 * the async context of its execution, interruptible by SIGINT (breakOnSigint) and, when
 * it awaits, at every resumption (instrument.ts).
 */
import path from "path";
import vm from "vm";
import { __importDefault, __importStar } from "tslib";
import type { Diagnostic } from "tslab/dist/converter";
import type { CellCompiler } from "./checker-client";
import { ExecutionContext, KeyboardInterrupt, executions } from "./context";
import { CellScripts, compileError, type CellError } from "./errors";
import type { CellModules } from "./modules";
import type { NamespaceStore } from "./namespace";
import { CellSourceMap } from "./sourcemap";
import { RUNTIME_GLOBAL } from "./instrument";
import { PRELUDE } from "./globals";
import { interruptGate, markIdle, runMarked } from "../interrupt-gate";

/** A converted piece ready to run (possibly many times). */
export interface CompiledPiece {
  /** The cell as a function of (exports, require), compiled from a script named after the cell. */
  body: (exports: unknown, require: unknown) => unknown;
  /** The CommonJS text inside the script (scanned for imports before running). */
  js: string;
  lastExpressionVar?: string;
  hasToplevelAwait: boolean;
  /** Declarations to carry to the next cell once this one ran. */
  declOutput: string;
}

export type CompileOutcome = { ok: true; piece?: CompiledPiece; declOutput: string } | { ok: false; error: CellError; diagnostics: Diagnostic[] };

/** The global object compiled code reaches: its exports, require and the resume check. */
export interface RuntimeGlobal {
  exports: Record<string, unknown>;
  require: NodeJS.Require;
  resumed<T>(value?: T): T | undefined;
  /** TypeScript's esModuleInterop helpers (tslib's), for the imports the light compiler writes (cell-rewrite.ts). */
  importDefault: typeof __importDefault;
  importStar: typeof __importStar;
  /** What the driver script calls (set right before each run). */
  pending?: () => unknown;
  invokePending(): unknown;
}

const WRAPPER_LINES = 1;

function isSigintBreak(err: unknown): boolean {
  return (err as { code?: string })?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED";
}

export class CellRunner {
  /** Declarations of every earlier cell, as tslab's converter carries them. */
  prevDecl = "";
  private scriptCounter = 0;
  private readonly runtime: RuntimeGlobal;
  /**
   * Cell bodies run inside this tiny script: vm's breakOnSigint only covers code that runs
   * during runInThisContext, and running through one shared driver keeps that cheap when
   * a body runs many times (%timeit).
   */
  private readonly driver: vm.Script;

  constructor(
    /** The type checker cells go through now (the full one once loaded). */
    private readonly checker: () => CellCompiler,
    private readonly namespace: NamespaceStore,
    private readonly modules: CellModules,
    readonly scripts: CellScripts,
  ) {
    const runtime: RuntimeGlobal = {
      exports: namespace.exports,
      require: modules.require,
      resumed<T>(value?: T) {
        const ctx = executions.current();
        if (ctx?.interrupted) throw new KeyboardInterrupt();
        return value;
      },
      importDefault: __importDefault,
      importStar: __importStar,
      invokePending() {
        const pending = runtime.pending;
        runtime.pending = undefined;
        return runMarked(interruptGate(), () => pending?.());
      },
    };
    this.runtime = runtime;
    this.driver = new vm.Script(`${RUNTIME_GLOBAL}.invokePending()`, { filename: "seqlab-driver" });
    Object.defineProperty(globalThis, RUNTIME_GLOBAL, { value: runtime, configurable: true, writable: true, enumerable: false });
  }

  /** Type-checks and compiles `source` (a cell or a piece padded to its cell lines). */
  compile(source: string, label: string): CompileOutcome {
    const converted = this.checker().convert(PRELUDE + this.prevDecl, source);
    if (converted.diagnostics.length > 0) {
      return { ok: false, error: compileError(converted.diagnostics, source, label), diagnostics: converted.diagnostics };
    }
    this.modules.addSideOutputs(converted.sideOutputs);
    const declOutput = converted.declOutput ?? "";
    if (!converted.output) return { ok: true, declOutput };
    const output = converted.output;
    const filename = path.join(this.modules.root, `__seqlab_cell_${++this.scriptCounter}__.js`);
    const hasToplevelAwait = converted.hasToplevelAwait;
    const prefix = hasToplevelAwait ? "(async function (exports, require) {" : "(function (exports, require) {";
    const wrapped = `${prefix}\n${output}\n})`;
    const script = new vm.Script(wrapped, {
      filename,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    const lineCount = source.split("\n").length;
    this.scripts.add({
      filename,
      label,
      source,
      wrapperLines: WRAPPER_LINES,
      map: new CellSourceMap(converted.maps, lineCount),
    });
    return {
      ok: true,
      declOutput,
      piece: { body: script.runInThisContext() as CompiledPiece["body"], js: output, lastExpressionVar: converted.lastExpressionVar, hasToplevelAwait, declOutput },
    };
  }

  /** Loads modules `require` cannot (ES modules with top-level await and the like). */
  async prepare(piece: CompiledPiece): Promise<void> {
    await this.modules.prepare(piece.js);
  }

  /**
   * Runs a compiled piece in `ctx`; resolves to its last expression's value (undefined if
   * none). Rejects with KeyboardInterrupt when interrupted (sync or async).
   */
  async run(piece: CompiledPiece, ctx: ExecutionContext): Promise<unknown> {
    const returned = this.start(piece, ctx);
    if (piece.hasToplevelAwait) {
      const promise = returned as Promise<unknown>;
      // If the cell is abandoned on interrupt, its later failure must not go unhandled.
      promise.catch(() => undefined);
      await Promise.race([promise, ctx.interruption()]);
    }
    return this.takeLastValue(piece);
  }

  /** Runs a piece without top-level await synchronously; returns its last value. */
  runSync(piece: CompiledPiece, ctx: ExecutionContext): unknown {
    if (piece.hasToplevelAwait) throw new Error("runSync: the code awaits; use run()");
    this.start(piece, ctx);
    return this.takeLastValue(piece);
  }

  private start(piece: CompiledPiece, ctx: ExecutionContext): unknown {
    const { exports, require } = this.runtime;
    const body = piece.body; // called unbound so stack frames read "at Cell In[n]:line:col"
    return this.invoke(ctx, () => body(exports, require));
  }

  private invoke(ctx: ExecutionContext, fn: () => unknown): unknown {
    this.runtime.pending = fn;
    try {
      return executions.run(ctx, () => this.driver.runInThisContext({ breakOnSigint: true }));
    } catch (err) {
      if (isSigintBreak(err)) {
        ctx.interrupt();
        throw new KeyboardInterrupt();
      }
      throw err;
    } finally {
      this.runtime.pending = undefined;
      markIdle(interruptGate());
    }
  }

  private takeLastValue(piece: CompiledPiece): unknown {
    if (!piece.lastExpressionVar) return undefined;
    const values = this.namespace.values;
    const value = values[piece.lastExpressionVar];
    delete values[piece.lastExpressionVar];
    return value;
  }

  reset(): void {
    this.prevDecl = "";
    this.namespace.clear();
  }
}
