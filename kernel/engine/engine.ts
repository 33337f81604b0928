/**
 * The execution engine: runs cells (TypeScript through tslab's converter, and magics),
 * completes, inspects, checks completeness, and handles interrupts. The protocol server
 * drives it through kernel/contract.ts.
 */
import vm from "vm";
import { setImmediate as yieldToEventLoop } from "timers/promises";
import { printQuickInfo } from "tslab/dist/inspect";
import type { QuickInfo } from "@tslab/typescript-for-tslab";
import type { CellHost, CompleteResult, Engine, ExecuteOutcome, InspectResult, IsCompleteResult } from "../contract";
import { setCurrentAbortSignal, setDisplayHost, setHostInteractive } from "../../lib/runtime";
import { CellRunner, type CompiledPiece } from "./cells";
import { ExecutionContext, KeyboardInterrupt, executions } from "./context";
import { libDisplayHost, showOn, toMimeBundle } from "./display";
import { CellScripts, asConverterDiagnostics, compileError, keyboardInterruptError, runtimeError, type CellError } from "./errors";
import { UncheckedCells, lateTypeErrors, runBeforeCheckerFromEnvironment, type RanCell } from "./unchecked-cells";
import { PRELUDE, installCellGlobals, removeCellGlobals } from "./globals";
import { CellModules } from "./modules";
import { useCellPackages } from "./packages";
import { createNamespace, type NamespaceStore } from "./namespace";
import { captureProcessOutput } from "./output";
import { trackCellTimers } from "./timers";
import { installCellStacks } from "./stack";
import { refuseExitFromCells } from "./exit";
import { CellHistory } from "./history";
import { UncaughtErrors } from "./uncaught";
import { codePointsToUtf16, utf16ToCodePoints } from "./positions";
import { CellChecker, type CellCompiler } from "./checker-client";
import { TypeCheckers } from "./checkers";
import { NativeChecking } from "./native-checking";
import { chosenTypeScript } from "./typescript-choice";
import type { CellProject } from "./cell-project";
import { runMagic, type MagicServices } from "../magics/context";
import { asMagicCell, blankMagicLines, lineMagicAt, parseCell } from "../magics/parser";
import { magicHelp } from "../magics/help";
import { magicRegistry, type MagicRegistry } from "../magics/registry";
import type { ValueSource } from "../magics/args";
import type { CompiledCode } from "../magics/types";
import "../magics/builtin";
import "../magics/sequence/register";

/** Words a cell that imports contains (a hint only; see compile). */
const MAY_IMPORT = /\bimport\b|\brequire\s*\(/;

export interface EngineOptions {
  /** Where imports resolve from and relative files live; default process.cwd(). */
  rootDir?: string;
  registry?: MagicRegistry;
  /** Listen for SIGINT and interrupt the running cell (default true). */
  handleSigint?: boolean;
  /**
   * Start loading the first type checker (in its thread; with TypeScript 7, its project) this
   * many ms after creation (default 0; with TypeScript 7, 1000; -1: on first use).
   */
  preloadDelayMs?: number;
  /** Load the full type checker once the kernel has been idle this many ms (default 1000; -1: only when needed). */
  fullCheckerIdleMs?: number;
  /**
   * Once loaded, the full checker checks a cell importing seqlab and TensorFlow.js, in its
   * thread, so that a notebook's own import cell finds their declarations parsed (default
   * true, unless SEQLAB_WARM_UP_IMPORTS=0: about 40 MB more per kernel that never imports them).
   */
  warmUpImports?: boolean;
  /**
   * End the type checkers' threads once no request has used them for this many ms, freeing
   * most of an idle kernel's memory; the next cell that needs one loads the full checker again
   * (about 2 s, once). Default SEQLAB_CHECKER_RELEASE_MINUTES, else 10 minutes; 0 keeps them.
   */
  releaseCheckersAfterMs?: number;
  /**
   * 7: cells are type-checked by TypeScript 7 and compiled without TypeScript
   * (native-checking.ts); 5: by TypeScript 5's two checkers (checkers.ts). Default
   * 5 when SEQLAB_TYPESCRIPT=5, else 7; 5 where TypeScript 7 is not installed (typescript-choice.ts).
   */
  typeScript?: 5 | 7;
  /**
   * Cells that come before a type checker has loaded run at once, compiled without types,
   * and are checked once one has; their type errors fail the next cell (unchecked-cells.ts).
   * Default true unless SEQLAB_RUN_BEFORE_CHECKER=0; false: they wait for the checker.
   */
  runBeforeChecker?: boolean;
}

/**
 * How long the checkers may go unused before their threads end: SEQLAB_CHECKER_RELEASE_MINUTES
 * (default 10; 0 keeps them).
 */
function releaseAfterFromEnvironment(): number {
  const text = process.env.SEQLAB_CHECKER_RELEASE_MINUTES;
  const minutes = text === undefined || text.trim() === "" ? 10 : Number(text);
  if (!Number.isFinite(minutes) || minutes < 0) {
    process.stderr.write(`[seqlab kernel] SEQLAB_CHECKER_RELEASE_MINUTES must be a number of minutes >= 0, got "${text}"; using 10\n`);
    return 10 * 60_000;
  }
  return minutes * 60_000;
}

/** How long a new kernel on the default path waits, idle, before it opens TypeScript 7's project (see openTypeScript7). */
const OPEN_TYPESCRIPT7_AFTER_MS = 1000;

/** What nearly every notebook's first cell imports (see EngineOptions.warmUpImports). */
const WARM_UP_CELL = 'import * as sl from "seqlab";\nimport * as tf from "@tensorflow/tfjs";\n';

/**
 * Lets Node deliver what is pending: a SIGINT that came during synchronous work (its
 * listener runs from the event loop's poll phase, which the second turn is sure to pass;
 * one turn is not enough when we are in that phase already, as after a shell message) and
 * unhandled rejections (emitted once microtasks drain).
 */
async function settle(): Promise<void> {
  await yieldToEventLoop();
  await yieldToEventLoop();
}

/**
 * A compiled piece and the declarations to keep once it has run; `unchecked`: it was compiled
 * without types (unchecked-cells.ts), to be checked later after `declBefore`.
 */
interface Compiled {
  piece?: CompiledPiece;
  declOutput: string;
  unchecked?: { cell: RanCell; declBefore: string };
}

/** Carries a finished error reply (compile errors, usage errors) up the call chain. */
class CellFailure extends Error {
  constructor(readonly reply: CellError) {
    super(reply.evalue);
  }
}

export class TypeScriptEngine implements Engine {
  private readonly rootDir: string;
  private readonly registry: MagicRegistry;
  private readonly namespace: NamespaceStore = createNamespace();
  private readonly history = new CellHistory();
  private readonly scripts = new CellScripts();
  private readonly checkers: TypeCheckers;
  /** TypeScript 7 checks and TypeScript 5 only compiles (the default), instead of the checkers. */
  private readonly native?: NativeChecking;
  /** The first cells, run before a checker had loaded. */
  private readonly unchecked?: UncheckedCells;
  /** Checking those once a checker has loaded; their type errors, for the next cell. */
  private lateCheck?: Promise<void>;
  private lateErrors?: CellError;
  private readonly fullCheckerIdleMs: number;
  private runner?: CellRunner;
  private modules?: CellModules;
  private readonly restoreOutput: () => void;
  private readonly restoreIntervals: () => void;
  private readonly uncaught: UncaughtErrors;
  private readonly restoreStacks: () => void;
  private readonly restoreExit: () => void;
  private readonly onSigint = () => this.interrupt();
  private readonly preloadTimer?: NodeJS.Timeout;
  private readonly releaseAfterMs: number;
  private releaseTimer?: NodeJS.Timeout;
  private disposed = false;

  constructor(options: EngineOptions = {}) {
    this.rootDir = options.rootDir ?? process.cwd();
    const warmUp = options.warmUpImports ?? process.env.SEQLAB_WARM_UP_IMPORTS !== "0";
    this.checkers = new TypeCheckers(this.rootDir, warmUp ? { prevDecl: PRELUDE, source: WARM_UP_CELL } : undefined);
    const runBeforeChecker = options.runBeforeChecker ?? runBeforeCheckerFromEnvironment();
    if (chosenTypeScript(options.typeScript) === 7) {
      this.native = NativeChecking.forRoot(this.rootDir);
      // The compiler of every cell compiles the unchecked ones too.
      if (runBeforeChecker) this.unchecked = new UncheckedCells(this.native.compiler(), false);
    } else if (runBeforeChecker) this.unchecked = UncheckedCells.forRoot(this.rootDir);
    this.fullCheckerIdleMs = options.fullCheckerIdleMs ?? 1000;
    this.releaseAfterMs = options.releaseCheckersAfterMs ?? releaseAfterFromEnvironment();
    useCellPackages(this.rootDir); // the kernel's main installs it first, before tfjs loads
    this.registry = options.registry ?? magicRegistry;
    this.restoreOutput = captureProcessOutput();
    this.uncaught = new UncaughtErrors(this.scripts);
    this.restoreIntervals = trackCellTimers((owner, error) => this.uncaught.report(owner, "Uncaught", error));
    this.restoreStacks = installCellStacks(this.scripts);
    this.restoreExit = refuseExitFromCells();
    installCellGlobals();
    this.history.install();
    setDisplayHost(libDisplayHost(() => executions.outputTarget()?.host ?? executions.running()?.host));
    if (options.handleSigint !== false) process.on("SIGINT", this.onSigint);
    if (this.native && this.unchecked) void this.native.started.then(() => this.checkCellsThatRanWhenIdle());
    const delay = options.preloadDelayMs ?? (this.native ? OPEN_TYPESCRIPT7_AFTER_MS : 0);
    if (delay >= 0 && this.native) {
      this.openTypeScript7(delay, false);
    } else if (delay >= 0) {
      // The full checker follows once the kernel is idle (it loads in its own thread, but
      // would take a core from a running cell).
      const preload = () => {
        // After the converter the first cells compile with, which two loads at once would slow.
        void (this.unchecked?.whenLoaded() ?? Promise.resolve()).then(() => this.checkers.first()).then(
          () => this.checkCellsThatRanWhenIdle(),
          () => undefined,
        );
        return this.checker().then(
          () => {
            this.loadFullWhenIdle();
            this.releaseCheckersWhenIdle(); // a kernel nobody uses does not hold them either
          },
          () => undefined,
        );
      };
      this.preloadTimer = setTimeout(() => void preload(), delay);
      this.preloadTimer.unref();
    }
  }

  /**
   * Opens TypeScript 7's project, which blocks the main thread about 0.1 s: not while the
   * kernel answers its first requests. A new kernel opens it once idle `afterMs` (unless a
   * cell runs then), or as soon as its first cell has ended (also when more cells are queued,
   * as after "Run All": they wait for it once, and are checked), or when a request needs it
   * first (the engine's uses of `native.checker()`). Cells before that run unchecked
   * (unchecked-cells.ts).
   */
  private openTypeScript7(afterMs: number, evenUnderACell: boolean): void {
    if (!this.native || this.native.liveChecker || this.disposed) return;
    const open = () => {
      if (this.disposed || (!evenUnderACell && executions.running())) return;
      void this.native?.checker().catch(() => undefined); // the request that needs it reports a failure
    };
    // A timer, not an unref'd setImmediate: that would wait until something else woke the event loop.
    setTimeout(open, afterMs).unref();
  }

  private loadFullWhenIdle(): void {
    if (this.native) return;
    if (this.fullCheckerIdleMs >= 0 && !executions.running() && !this.disposed) this.checkers.loadWhenIdle(this.fullCheckerIdleMs);
  }

  /** A request is about to use the checkers: they stay. */
  private keepCheckers(): void {
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
  }

  /** Ends the checkers' threads once nothing has used them for a while (see TypeCheckers.release). */
  private releaseCheckersWhenIdle(): void {
    this.keepCheckers();
    if (this.releaseAfterMs <= 0 || this.disposed) return;
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = undefined;
      // Not under a running cell (a training run of an hour uses no checker, but its next
      // magic may), nor while one loads: try again later.
      if (executions.running()) return this.releaseCheckersWhenIdle();
      void (this.native ? this.native.release() : this.checkers.release()).then((released) => {
        if (!released) this.releaseCheckersWhenIdle();
      });
    }, this.releaseAfterMs);
    this.releaseTimer.unref();
  }

  /**
   * The converter a new cell meets first, loaded: the quick checker (see checkers.ts), or
   * before it has loaded, the converter that compiles without types (unchecked-cells.ts).
   */
  private async checker(): Promise<CellCompiler> {
    if (this.native) {
      await this.native.compiler();
    } else {
      // The quick checker loads after that converter (see preload).
      if (this.unchecked && !this.checkers.live) await this.unchecked.whenLoaded();
      if (!this.unchecked?.live) await this.checkers.first();
    }
    return this.liveChecker();
  }

  /** The full type checker (completion, inspection, rejected cells), loaded. */
  private async fullChecker(): Promise<CellChecker> {
    await this.checkers.complete();
    return this.liveChecker() as CellChecker; // TypeScript 5's path: a checker's thread
  }

  /**
   * A completion's or inspection's use of the full checker, with the earlier cells'
   * declarations (checked ones: cells that ran unchecked are checked first): the checkers are
   * kept meanwhile, and their release is scheduled again after, also when loading them failed.
   */
  private async withFullChecker<T>(use: (checker: CellChecker, prevDecl: string) => T): Promise<T> {
    this.keepCheckers();
    try {
      const checker = await this.fullChecker();
      await this.checkCellsThatRan();
      return use(checker, PRELUDE + (this.runner as CellRunner).prevDecl);
    } finally {
      this.releaseCheckersWhenIdle();
    }
  }

  /** A completion's or inspection's use of TypeScript 7: as withFullChecker. */
  private async withTypeScript7<T>(use: (project: CellProject) => T): Promise<T> {
    this.keepCheckers();
    try {
      const project = await (this.native as NativeChecking).checker();
      await this.checkCellsThatRan();
      return use(project);
    } finally {
      this.releaseCheckersWhenIdle();
    }
  }

  /** The checker in use now (the full one once loaded); cells compile with it. */
  private liveChecker(): CellCompiler {
    const live = this.native ? this.native.liveCompiler : (this.checkers.live ?? this.unchecked?.live);
    if (!live) throw new Error("the TypeScript checker is not loaded yet");
    if (!this.runner) {
      this.modules = new CellModules(this.rootDir);
      this.runner = new CellRunner(() => this.liveChecker(), this.namespace, this.modules, this.scripts);
    }
    return live;
  }

  /**
   * Whether a cell of this request may run before a checker has loaded (unchecked-cells.ts):
   * only with a person at the frontend (the request allows stdin), who waits for it and runs
   * the next cell, which reports its type errors. A headless run (nbconvert, papermill,
   * `seqlab run`) waits for nobody's first result, and its last cell has no next one: its
   * cells are checked before they run.
   */
  private mayRunUnchecked(ctx: ExecutionContext): boolean {
    return this.unchecked !== undefined && ctx.host.interactive === true;
  }

  /** Whether a type checker has loaded (else cells may run unchecked, see compile). */
  private get hasChecker(): boolean {
    return (this.native ? this.native.liveChecker : this.checkers.live) !== undefined;
  }

  /** The notebook's variables (for tests and magics). */
  get variables(): Record<string, unknown> {
    return this.namespace.values;
  }

  async execute(code: string, host: CellHost, options: { silent: boolean; storeHistory: boolean; executionCount: number }): Promise<ExecuteOutcome> {
    const ctx = new ExecutionContext(options.executionCount, host, true);
    this.checkers.cancelIdleLoad();
    this.keepCheckers();
    executions.begin(ctx);
    setCurrentAbortSignal(ctx.abort.signal);
    setHostInteractive(host.interactive ?? false);
    const kept = !options.silent && options.storeHistory;
    if (kept) {
      this.history.recordInput(options.executionCount, code);
      // Errors that escaped earlier cells after they ended show here (not in user_expressions).
      this.uncaught.flushTo(host);
    }
    try {
      const value = await Promise.race([executions.run(ctx, () => this.executeCell(code, ctx)), ctx.interruption()]);
      await settle();
      // An interrupt that came while code could not be broken (sync magic code, outside vm's
      // breakOnSigint) was only recorded: the cell still ends interrupted, never "ok".
      if (ctx.interrupted) throw new KeyboardInterrupt();
      if (value === undefined || options.silent) return { status: "ok" };
      if (kept) this.history.recordOutput(options.executionCount, value);
      const data = await toMimeBundle(value);
      return { status: "ok", result: { data, metadata: {} } };
    } catch (err) {
      await settle();
      if (err instanceof CellFailure) return err.reply;
      if (ctx.interrupted || err instanceof KeyboardInterrupt) {
        ctx.interrupt();
        return keyboardInterruptError();
      }
      return runtimeError(err, this.scripts);
    } finally {
      executions.end(ctx);
      this.openTypeScript7(0, true); // once the reply has gone
      this.checkCellsThatRanWhenIdle();
      this.loadFullWhenIdle();
      this.releaseCheckersWhenIdle();
    }
  }

  private label(ctx: ExecutionContext): string {
    return `Cell In[${ctx.executionCount}]`;
  }

  private async executeCell(code: string, ctx: ExecutionContext): Promise<unknown> {
    const first = this.checker();
    // A notebook's first cell mostly imports, and code that imports needs the full checker
    // (see compile): while the quick one still loads, the full one starts loading too (each in
    // its thread) if the cell may import. Only a hint: compile decides, and a wrong guess only
    // loads the full checker early.
    if (!this.native && !this.checkers.live && !this.mayRunUnchecked(ctx) && MAY_IMPORT.test(code)) void this.checkers.complete().catch(() => undefined);
    await first;
    const parsed = parseCell(code);
    if ("cellMagic" in parsed) {
      const { name, args, body, help } = parsed.cellMagic;
      return runMagic(this.registry, { name, args, body, help, invokedAs: "cell" }, ctx.host, ctx.abort.signal, this.services(ctx));
    }
    let last: unknown;
    for (const piece of parsed.pieces) {
      if (piece.kind === "code") {
        last = await this.runCode(piece.code, ctx);
      } else {
        last = await runMagic(this.registry, { name: piece.name, args: piece.args, help: piece.help, invokedAs: "line" }, ctx.host, ctx.abort.signal, this.services(ctx));
      }
    }
    return last;
  }

  /**
   * Compiles (throwing CellFailure on type errors) without running. Before a checker has
   * loaded, without types (unchecked-cells.ts); after, the cells that ran so are checked
   * first. What the quick checker rejects is compiled again by the full one, whose errors are
   * the ones reported. Code that imports goes to the full checker straight away: the packages'
   * types mostly need @types/node, and parsing them twice would cost more than the quick
   * checker saves.
   */
  private async compile(code: string, ctx: ExecutionContext): Promise<Compiled> {
    const runner = this.runner as CellRunner;
    const label = this.label(ctx);
    if (this.unchecked?.live && !this.hasChecker && this.mayRunUnchecked(ctx)) {
      const declBefore = runner.prevDecl;
      const outcome = runner.compile(code, label); // syntax errors only
      if (!outcome.ok) throw new CellFailure(outcome.error);
      return { ...outcome, unchecked: { cell: { source: code, label }, declBefore } };
    }
    await this.checkCellsThatRan();
    const late = this.lateErrors;
    this.lateErrors = undefined;
    if (late) throw new CellFailure(late);
    if (this.native) {
      const errors = asConverterDiagnostics(code, (await this.native.checker()).check(code));
      if (errors.length > 0) throw new CellFailure(compileError(errors, code, label));
      await this.native.compiler();
      const compiled = runner.compile(code, label);
      if (!compiled.ok) throw new CellFailure(compiled.error);
      return compiled;
    }
    const outcome = await this.withTypeScript5Verdict(code, () => runner.compile(code, label), (o) => !o.ok);
    if (!outcome.ok) throw new CellFailure(outcome.error);
    return outcome;
  }

  /**
   * `attempt` (a conversion of `source`) with the TypeScript 5 checker whose verdict counts:
   * the full one for code that imports, and the full one again when the quick one rejects it.
   */
  private async withTypeScript5Verdict<T>(source: string, attempt: () => T, rejected: (result: T) => boolean): Promise<T> {
    const compiler = await this.checker();
    if (!this.checkers.hasFull && compiler instanceof CellChecker && compiler.importsModules(source)) await this.fullChecker();
    const result = attempt();
    if (!rejected(result) || this.checkers.hasFull) return result;
    await this.fullChecker();
    return attempt();
  }

  /**
   * Once a checker has loaded: checks the cells that ran before (unchecked-cells.ts), in
   * order, as compile would have (withTypeScript5Verdict, or TypeScript 7). Their checked declarations replace the unchecked ones
   * (TypeScript 7 keeps each cell it accepts); their type errors wait in lateErrors for the
   * next cell. Only once: the cells after are checked first.
   */
  private checkCellsThatRan(): Promise<void> {
    const unchecked = this.unchecked;
    if (!unchecked) return Promise.resolve();
    this.lateCheck ??= (async () => {
      const project = this.native ? await this.native.checker() : (await this.checkers.first(), undefined);
      const { cells, declBefore } = unchecked.end();
      const errors: CellError[] = [];
      let decl = declBefore;
      for (const cell of cells) {
        if (project) {
          const found = asConverterDiagnostics(cell.source, project.check(cell.source));
          if (found.length > 0) errors.push(compileError(found, cell.source, cell.label));
          else project.keep();
          continue;
        }
        const before = decl;
        const converted = await this.withTypeScript5Verdict(
          cell.source,
          () => this.liveChecker().convert(PRELUDE + before, cell.source),
          (c) => c.diagnostics.length > 0,
        );
        if (converted.diagnostics.length > 0) errors.push(compileError(converted.diagnostics, cell.source, cell.label));
        else decl = converted.declOutput ?? decl;
      }
      if (cells.length > 0 && !project) (this.runner as CellRunner).prevDecl = decl;
      if (errors.length > 0) this.lateErrors = lateTypeErrors(errors);
    })();
    const checking = this.lateCheck;
    checking.catch(() => {
      if (this.lateCheck === checking) this.lateCheck = undefined; // the cell that waited reports why; the next tries again
    });
    return checking;
  }

  /**
   * Checks the cells that ran unchecked soon, if a checker has loaded and no cell runs then:
   * after the reply of the cell that just ended has gone (its checks are synchronous work).
   */
  private checkCellsThatRanWhenIdle(): void {
    if (!this.unchecked || this.lateCheck) return;
    setImmediate(() => {
      if (this.hasChecker && !executions.running() && !this.disposed) void this.checkCellsThatRan().catch(() => undefined);
    }).unref();
  }

  /** Later cells see the declarations of the code compiled last (checked later if it ran unchecked). */
  private keepDeclarations(compiled: Compiled): void {
    if (compiled.unchecked) this.unchecked?.record(compiled.unchecked.cell, compiled.unchecked.declBefore);
    (this.runner as CellRunner).prevDecl = compiled.declOutput;
    this.native?.keep();
  }

  /** Runs TypeScript in the notebook; declarations carry over even if it throws midway. */
  private async runCode(code: string, ctx: ExecutionContext): Promise<unknown> {
    const runner = this.runner as CellRunner;
    const compiled = await this.compile(code, ctx);
    const { piece } = compiled;
    if (!piece) {
      this.keepDeclarations(compiled);
      return undefined;
    }
    await this.prepare(piece, ctx);
    try {
      return await runner.run(piece, ctx);
    } finally {
      this.keepDeclarations(compiled);
      // A cell that failed before its last expression leaves the slot declared but unset.
      if (piece.lastExpressionVar) delete this.namespace.values[piece.lastExpressionVar];
    }
  }

  /**
   * Loads what the piece imports, then delivers a SIGINT that came while compiling before
   * the code starts: vm's breakOnSigint takes the SIGINT listeners off while code runs, and
   * Node drops a signal that is caught but not yet delivered when they go (it would be lost).
   */
  private async prepare(piece: CompiledPiece, ctx: ExecutionContext): Promise<void> {
    await (this.runner as CellRunner).prepare(piece);
    await settle();
    if (ctx.interrupted) throw new KeyboardInterrupt();
  }

  private services(ctx: ExecutionContext): MagicServices {
    const runner = this.runner as CellRunner;
    return {
      namespace: this.namespace.values,
      values: this.valueSource(),
      runCode: (code) => this.runCode(code, ctx),
      compileCode: async (code, options): Promise<CompiledCode> => {
        // A wrapping magic's body may hold magics itself (%%time above %%train): it runs as a cell.
        const cell = asMagicCell(code);
        if (cell !== undefined) return this.cellAsCode(cell, ctx);
        const compiled = await this.compile(code, ctx);
        const { piece } = compiled;
        const keep = () => {
          if (options?.keepDeclarations) this.keepDeclarations(compiled);
        };
        if (!piece) {
          keep();
          return { isAsync: false, run: () => undefined };
        }
        await this.prepare(piece, ctx);
        if (piece.hasToplevelAwait) {
          return {
            isAsync: true,
            run: () => runner.run(piece, ctx).finally(keep),
          };
        }
        return {
          isAsync: false,
          run: () => {
            try {
              return runner.runSync(piece, ctx);
            } finally {
              keep();
            }
          },
        };
      },
      resetNamespace: () => {
        runner.reset();
        this.native?.reset();
        this.unchecked?.forget();
        this.lateErrors = undefined;
      },
      display: (value, options) => showOn(() => executions.outputTarget()?.host ?? ctx.host, value, options),
    };
  }

  /** A cell (magics included) run on demand, as CompiledCode; its declarations persist. */
  private cellAsCode(cell: string, ctx: ExecutionContext): CompiledCode {
    return {
      isAsync: true,
      run: () => this.executeCell(cell, ctx),
    };
  }

  /** `$name` and `{expr}` in magic arguments read the notebook's variables. */
  private valueSource(): ValueSource {
    const values = this.namespace.values;
    return {
      lookup(name) {
        if (Object.prototype.hasOwnProperty.call(values, name)) return { found: true, value: values[name] };
        if (name in globalThis) return { found: true, value: (globalThis as Record<string, unknown>)[name] };
        return { found: false };
      },
      evaluate: (expr) => {
        const js = this.liveChecker().transpileExpression(expr);
        const fn = vm.runInThisContext(`(function (__values__) { with (__values__) { return ${js}; } })`) as (v: object) => unknown;
        return fn(values);
      },
    };
  }

  async complete(code: string, cursorPos: number): Promise<CompleteResult> {
    const cursor = codePointsToUtf16(code, cursorPos);
    const lineStart = code.lastIndexOf("\n", cursor - 1) + 1;
    const before = code.slice(lineStart, cursor);
    const magic = /^\s*(%%?)([\w-]*)$/.exec(before);
    if (magic) {
      const cellOnly = magic[1] === "%%";
      const names = cellOnly ? this.registry.cellNames() : this.registry.lineNames();
      const matches = names.filter((n) => n.startsWith(magic[2])).map((n) => magic[1] + n);
      const start = cursor - magic[1].length - magic[2].length;
      return { matches, cursor_start: utf16ToCodePoints(code, start), cursor_end: cursorPos, metadata: {} };
    }
    const info = this.native
      ? await this.withTypeScript7((project) => project.complete(blankMagicLines(code), cursor))
      : await this.withFullChecker((checker, prevDecl) => checker.complete(prevDecl, blankMagicLines(code), cursor));
    return {
      matches: info.candidates,
      cursor_start: utf16ToCodePoints(code, info.start),
      cursor_end: utf16ToCodePoints(code, info.end),
      metadata: {},
    };
  }

  async inspect(code: string, cursorPos: number, detailLevel: 0 | 1): Promise<InspectResult> {
    const cursor = codePointsToUtf16(code, cursorPos);
    const lineStart = code.lastIndexOf("\n", cursor - 1) + 1;
    const lineEnd = code.indexOf("\n", cursor);
    const line = code.slice(lineStart, lineEnd < 0 ? code.length : lineEnd);
    const magicLine = lineMagicAt(line) ?? (lineStart === 0 ? lineMagicAt(line.replace(/^%%/, "%")) : undefined);
    if (magicLine) {
      const spec = this.registry.get(magicLine.name);
      if (spec) {
        const text = magicHelp(spec, detailLevel === 1 ? 2 : 1);
        return { found: true, data: { "text/plain": text }, metadata: {} };
      }
    }
    const info = this.native
      ? ((await this.withTypeScript7((project) => project.inspect(blankMagicLines(code), cursor))) as QuickInfo | undefined)
      : await this.withFullChecker((checker, prevDecl) => checker.inspect(prevDecl, blankMagicLines(code), cursor));
    if (!info) return { found: false, data: {}, metadata: {} };
    const text = printQuickInfo(info);
    const signature = (info.displayParts ?? []).map((p) => p.text).join("");
    const docs = (info.documentation ?? []).map((p) => p.text).join("");
    const markdown = "```typescript\n" + signature + "\n```" + (docs ? `\n\n${docs}` : "");
    return { found: true, data: { "text/plain": text, "text/markdown": markdown }, metadata: {} };
  }

  async isComplete(code: string): Promise<IsCompleteResult> {
    const lines = code.split("\n");
    if (/^%%/.test(lines[0])) {
      return lines.length === 1 || !/\n\s*$/.test(code) ? { status: "incomplete", indent: "" } : { status: "complete" };
    }
    const blank = blankMagicLines(code);
    if (blank.trim() === "") return { status: "complete" };
    const checker = await this.checker();
    const check = checker.isCompleteCode(blank);
    if (!check.completed) return { status: "incomplete", indent: check.indent ?? "" };
    return checker.hasSyntaxErrors(blank) ? { status: "invalid" } : { status: "complete" };
  }

  interrupt(): void {
    executions.running()?.interrupt();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.preloadTimer) clearTimeout(this.preloadTimer);
    this.keepCheckers();
    process.off("SIGINT", this.onSigint);
    this.interrupt();
    this.unchecked?.end();
    await this.checkers.close();
    await this.native?.close();
    this.restoreOutput();
    this.restoreIntervals();
    this.uncaught.dispose();
    this.restoreStacks();
    this.restoreExit();
    removeCellGlobals();
    this.history.remove();
    setDisplayHost(undefined);
    setCurrentAbortSignal(undefined);
    setHostInteractive(undefined);
  }
}
