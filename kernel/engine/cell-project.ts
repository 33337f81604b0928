/**
 * A notebook's cells as a project of TypeScript 7, the native compiler, reached through its
 * synchronous API (a child process that holds the project between calls). Type-checking a
 * cell against the standard library, @types/node, seqlab and TensorFlow.js takes it about a
 * tenth of a second from a cold start where TypeScript 5 in JavaScript takes well over one
 * (see `npm run bench:checker`).
 *
 * Earlier cells stay in the project as sources, one module per cell in a private folder,
 * rather than as declarations emitted from them (tslab's way, which this API cannot do):
 * each cell's top-level names are exported, and a new cell starts with a header that brings
 * in the latest definition of every name it does not declare itself. A variable comes as a
 * `declare let|const|var` of the defining cell's type (so a later cell can assign it), and
 * everything else (functions, classes, interfaces, types, enums, namespaces, imports) as an
 * import alias, which carries all its meanings and type parameters. A cell may redeclare a
 * name with another type; global declarations (`declare global`) stay in force because their
 * cells stay. A cell with errors leaves nothing behind.
 *
 * The engine checks cells with it when the user asks for TypeScript 7 (native-checking.ts).
 */
import fs from "fs";
import os from "os";
import path from "path";
import { pathToFileURL } from "url";
import { cellPathMappings } from "./packages";

/** A type error in a cell, positioned in the cell's own source. */
export interface CellDiagnostic {
  start: number;
  length: number;
  message: string;
  code: number;
  category: "error" | "warning" | "suggestion" | "message";
}

/** Completion candidates for the text between start and end (tslab's shape). */
export interface CellCompletion {
  start: number;
  end: number;
  candidates: string[];
}

/** What inspection shows of the name at a position (TypeScript's QuickInfo, in the parts tslab prints). */
export interface CellQuickInfo {
  displayParts: { text: string }[];
  documentation: { text: string }[];
  tags: { name: string; text?: { text: string }[] }[];
}

// The parts of TypeScript 7's API used here (its own declarations need a module resolution
// this project's build does not use).
interface AstNode {
  readonly kind: number;
  readonly [key: string]: unknown;
}
type NodeList = ArrayLike<AstNode> | undefined;
interface ApiDiagnostic {
  pos: number;
  end: number;
  code: number;
  category: number;
  text: string;
}
interface ApiProgram {
  getSourceFile(file: string): (AstNode & { statements: ArrayLike<AstNode> }) | undefined;
  getSyntacticDiagnostics(file?: string): readonly ApiDiagnostic[];
  getSemanticDiagnostics(file?: string): readonly ApiDiagnostic[];
  getProgramDiagnostics(): readonly ApiDiagnostic[];
}
interface ApiSymbol {
  readonly name: string;
  readonly flags: number;
}
interface ApiChecker {
  getSymbolAtPosition(file: string, position: number): ApiSymbol | undefined;
  getAliasedSymbol(symbol: ApiSymbol): ApiSymbol;
  getTypeOfSymbol(symbol: ApiSymbol): object | undefined;
  getDeclaredTypeOfSymbol(symbol: ApiSymbol): object;
  typeToString(type: object, enclosingDeclaration?: unknown, flags?: number): string;
  getDocumentationCommentOfSymbol(symbol: ApiSymbol): string;
  getJsDocTagsOfSymbol(symbol: ApiSymbol): readonly { name: string; text?: string }[];
  getCompletionsAtPosition(file: string, position: number): { entries: readonly { name: string; sortText?: string }[] } | undefined;
}
interface ApiSnapshot {
  getProject(configFile: string): { program: ApiProgram; checker: ApiChecker } | undefined;
  dispose(): void;
}
interface Api {
  updateSnapshot(params: Record<string, unknown>): ApiSnapshot;
  close(): void;
}
interface TypeScript7 {
  API: new (options: { cwd: string; tsserverPath?: string }) => Api;
  /** The compiler's executable (native, one per platform). */
  exePath: string;
  SyntaxKind: Record<string, number>;
  NodeFlags: Record<string, number>;
  SymbolFlags: Record<string, number>;
}

// The package is ES modules only; this file compiles to CommonJS.
const dynamicImport = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<Record<string, unknown>>;

let loading: Promise<TypeScript7> | undefined;

/** TypeScript 7's API, loaded once. */
export function loadTypeScript7(): Promise<TypeScript7> {
  loading ??= (async () => {
    const root = path.dirname(require.resolve("@typescript/native-preview/package.json"));
    const load = (file: string) => dynamicImport(pathToFileURL(path.join(root, "dist", file)).href);
    const [api, ast, options] = await Promise.all([load("api/sync/api.js"), load("ast/index.js"), load("api/options.js")]);
    const exePath = (options.resolveExePath as (o: object) => string)({});
    return { API: api.API, exePath, SyntaxKind: ast.SyntaxKind, NodeFlags: ast.NodeFlags, SymbolFlags: api.SymbolFlags } as TypeScript7;
  })();
  return loading;
}

/** What a later cell needs to know of a name an accepted cell declares. */
type Definition = { cell: number; variable?: "let" | "const" | "var" };

/** A cell's top-level names (with the keyword of variables) and those it exports itself. */
interface TopLevelNames {
  names: Map<string, "let" | "const" | "var" | undefined>;
  exported: Set<string>;
}

/**
 * tslab's filtering of completions: with an identifier at the cursor, the entries that start
 * with it, then those that start with it ignoring case, then those that contain it; else all,
 * in TypeScript's order.
 */
function completionAt(source: string, cursor: number, entries: { name: string; sortText?: string }[]): CellCompletion {
  const before = /[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_]*$/u.exec(source.slice(0, cursor));
  const after = /^[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_]*/u.exec(source.slice(cursor));
  const byOrder = (a: { name: string; sortText?: string }, b: { name: string; sortText?: string }) =>
    (a.sortText ?? "").localeCompare(b.sortText ?? "") || a.name.localeCompare(b.name);
  if (!before) return { start: cursor, end: cursor, candidates: entries.sort(byOrder).map((e) => e.name) };
  const word = before[0];
  const lower = word.toLowerCase();
  const rank = (name: string) => (name.startsWith(word) ? 0 : name.toLowerCase().startsWith(lower) ? 1 : name.toLowerCase().includes(lower) ? 2 : 3);
  const candidates = entries
    .map((entry, index) => ({ entry, index, rank: rank(entry.name) }))
    .filter((c) => c.rank < 3)
    .sort((a, b) => a.rank - b.rank || (a.entry.sortText ?? "").localeCompare(b.entry.sortText ?? "") || a.index - b.index)
    .map((c) => c.entry.name);
  return { start: cursor - word.length, end: cursor + (after?.[0].length ?? 0), candidates };
}

/**
 * A function type as a signature: `<T>(a: T) => R` becomes `<T>(a: T): R`; undefined for
 * anything else (an object type with several call signatures, say).
 */
function asSignature(type: string): string | undefined {
  if (!/^[<(]/.test(type)) return undefined;
  let depth = 0;
  for (let i = 0; i < type.length; i++) {
    const c = type[i];
    if (c === "=" && type[i + 1] === ">" && depth === 0) return `${type.slice(0, i).trimEnd()}: ${type.slice(i + 2).trimStart()}`;
    if (c === "=" && type[i + 1] === ">") i++;
    else if ("([{<".includes(c)) depth++;
    else if (")]}>".includes(c)) depth--;
  }
  return undefined;
}

/** The header's name for the module of cell `n` (not a name users write). */
const cellModule = (n: number) => `__seqlab_cell${n}`;

const CATEGORIES: CellDiagnostic["category"][] = ["warning", "error", "suggestion", "message"];

/** Every folder from `dir` up that has a node_modules, nearest first. */
function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const candidate = path.join(at, "node_modules");
    if (fs.existsSync(candidate)) found.push(candidate);
    if (path.dirname(at) === at) return found;
  }
}

/**
 * The options tslab gives TypeScript 5, in TypeScript 7's terms: its module resolution
 * "node10" is gone, so "bundler" (which also needs no file extensions); `strict` is off as
 * before (7 turns it on by default); every @types package found from the root directory, as
 * before (7 loads none unless listed), and the kernel's own @types/node where none is found.
 * The cells' folder is private, so the notebook's own
 * files resolve through `rootDirs` and its packages through `paths`.
 */
function compilerOptions(rootDir: string, cellsDir: string): Record<string, unknown> {
  const modules = nodeModulesAbove(rootDir);
  const typeRoots = modules.map((dir) => path.join(dir, "@types")).filter((dir) => fs.existsSync(dir));
  // Node's globals (console, process) even where the folder has no @types/node, as tslab does.
  if (!typeRoots.some((dir) => fs.existsSync(path.join(dir, "node")))) typeRoots.push(path.dirname(path.dirname(require.resolve("@types/node/package.json"))));
  const types = [...new Set(typeRoots.flatMap((dir) => fs.readdirSync(dir).filter((name) => !name.startsWith("."))))];
  return {
    target: "es2022",
    lib: ["es2022"],
    module: "esnext",
    moduleResolution: "bundler",
    esModuleInterop: true,
    experimentalDecorators: true,
    resolveJsonModule: true,
    jsx: "react",
    allowJs: true,
    checkJs: true,
    skipLibCheck: true,
    strict: false,
    noEmit: true,
    typeRoots,
    types,
    rootDirs: [cellsDir, rootDir],
    paths: { ...cellPathMappings(), ...(modules.length > 0 ? { "*": modules.flatMap((dir) => [path.join(dir, "*"), path.join(dir, "@types", "*")]) } : {}) },
  };
}

/**
 * Starts TypeScript 7's process. Go collects garbage once its heap has doubled (GOGC=100);
 * each cell leaves a program's worth, so a notebook's compiler settled some 30 MB higher than
 * at GOGC=50, which costs about 2 ms a cell (bench:checker). A GOGC the user set is kept.
 * Interrupting a kernel signals its whole process group (jupyter_client does), and the
 * compiler ends on SIGINT even when started with it ignored: on POSIX it starts in a session
 * of its own (setsid, where there is one; else a restart covers it, see withCompiler). It
 * still ends with the kernel: its requests come on a pipe that closes then.
 */
function startCompiler(ts: TypeScript7, rootDir: string, cellsDir: string): Api {
  let tsserverPath: string | undefined;
  if (process.platform !== "win32") {
    tsserverPath = path.join(cellsDir, "typescript-in-own-session");
    const exe = JSON.stringify(ts.exePath);
    fs.writeFileSync(tsserverPath, `#!/bin/sh\nif command -v setsid >/dev/null 2>&1; then exec setsid ${exe} "$@"; fi\nexec ${exe} "$@"\n`, { mode: 0o755 });
  }
  const own = process.env.GOGC;
  process.env.GOGC = own ?? "50"; // the child inherits the environment at spawn
  try {
    return new ts.API({ cwd: rootDir, tsserverPath });
  } finally {
    if (own === undefined) delete process.env.GOGC;
  }
}

export interface CellProjectOptions {
  /** Declarations every cell sees (the kernel's globals), as a module's `declare global` block. */
  prelude?: string;
}

export class CellProject {
  private readonly configFile: string;
  /** TypeScript's view of the folder; none until the first request (see openProject). */
  private snapshot?: ApiSnapshot;
  /** The latest definition of every top-level name of the accepted cells. */
  private readonly definitions = new Map<string, Definition>();
  /** The cell files in TypeScript's snapshot. */
  private readonly known = new Set<string>();
  /** Files written or removed since the last update. */
  private readonly touched = new Set<string>();
  private cells = 0;
  /** The cell checked last, without errors, until kept or dropped. */
  private pending?: { file: string; n: number; text: string; declared: TopLevelNames };
  /** TypeScript's process was ended to free its memory (see suspend). */
  private suspended = false;
  private closed = false;

  private api: Api;

  private constructor(
    private readonly ts: TypeScript7,
    private readonly rootDir: string,
    readonly dir: string,
  ) {
    this.configFile = path.join(dir, "tsconfig.json");
    process.once("exit", this.removeFolder); // a kernel that ends without closing (a killed one cannot)
    this.api = startCompiler(ts, rootDir, dir);
    try {
      this.openProject();
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /**
   * Has TypeScript load the project (the standard library, the @types packages: about a tenth
   * of a second, in its process). The kernel's main thread waits for the answer: at start-up
   * that holds kernel_info up, but asked for by the first cell instead, the first result came
   * later (bench:kernel, 5 starts each: kernel_info 308 -> 212 ms, first result 351 -> 396 ms).
   */
  private openProject(): void {
    this.snapshot = this.api.updateSnapshot({ openProjects: [this.configFile] });
    this.known.clear();
    for (const name of fs.readdirSync(this.dir)) if (name.endsWith(".ts")) this.known.add(path.join(this.dir, name));
    this.touched.clear();
    const problems = this.program.getProgramDiagnostics().filter((d) => d.category === 1);
    if (problems.length > 0) throw new Error(`TypeScript 7 refused the cells' configuration: ${problems.map((d) => d.text).join("; ")}`);
  }

  /** Starts TypeScript 7 on a private folder of cells whose imports resolve from `rootDir`. */
  static async open(rootDir: string, options: CellProjectOptions = {}): Promise<CellProject> {
    const ts = await loadTypeScript7();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-cells-"));
    try {
      fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: compilerOptions(rootDir, dir), include: ["*.ts"] }, null, 1));
      fs.writeFileSync(path.join(dir, "prelude.ts"), `${options.prelude ?? ""}\nexport {};\n`);
      return new CellProject(ts, rootDir, dir);
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  private get program(): ApiProgram {
    const project = this.snapshot?.getProject(this.configFile);
    if (!project) throw new Error("TypeScript 7 lost the cells' project");
    return project.program;
  }

  /**
   * Tells TypeScript which of the files written or removed since the last update were
   * created, changed or deleted, and moves to its new snapshot.
   */
  private update(): void {
    const fileChanges: Record<"created" | "changed" | "deleted", string[]> = { created: [], changed: [], deleted: [] };
    for (const file of this.touched) {
      const exists = fs.existsSync(file);
      if (exists) fileChanges[this.known.has(file) ? "changed" : "created"].push(file);
      else if (this.known.has(file)) fileChanges.deleted.push(file);
      if (exists) this.known.add(file);
      else this.known.delete(file);
    }
    this.touched.clear();
    const old = this.snapshot;
    this.snapshot = this.api.updateSnapshot({ fileChanges });
    old?.dispose(); // each snapshot holds its program until disposed
  }

  private write(file: string, text: string | undefined): void {
    if (text === undefined) fs.rmSync(file, { force: true });
    else fs.writeFileSync(file, text);
    this.touched.add(file);
  }

  /**
   * Type-checks `source` as the next cell. A cell without errors stays pending: `keep` makes
   * its names visible to later cells (the kernel keeps a cell's declarations once it has run,
   * even if it threw); the next check drops it otherwise. A cell with errors leaves nothing.
   */
  check(source: string): CellDiagnostic[] {
    return this.withCompiler(() => this.checkNow(source));
  }

  /**
   * Runs `use`; if TypeScript's process has ended (killed, say), starts it again on the same
   * folder, whose files are the notebook's cells, and runs `use` once more.
   */
  private withCompiler<T>(use: () => T): T {
    if (this.closed) throw new Error("this cell project was closed");
    if (this.suspended) this.restart();
    else if (!this.snapshot) this.openProject();
    try {
      return use();
    } catch (err) {
      if (this.closed || this.compilerAlive()) throw err;
      this.restart();
      return use();
    }
  }

  private restart(): void {
    this.dropPending();
    this.suspended = false;
    this.api = startCompiler(this.ts, this.rootDir, this.dir);
    this.openProject();
  }

  /**
   * Ends TypeScript's process, which holds most of the memory, keeping the cells' folder: the
   * next request starts it again on the same cells (about a tenth of a second).
   */
  suspend(): void {
    if (this.closed || this.suspended) return;
    this.dropPending();
    this.suspended = true;
    this.api.close();
  }

  /** Whether TypeScript's process still answers. */
  private compilerAlive(): boolean {
    try {
      this.program.getProgramDiagnostics();
      return true;
    } catch {
      return false;
    }
  }

  private checkNow(source: string): CellDiagnostic[] {
    const { file, header, declared } = this.place(source);
    const program = this.program;
    const found = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
    const diagnostics = found.map((d) => this.inCell(d, header.length, source.length));
    if (diagnostics.some((d) => d.category === "error")) this.write(file, undefined);
    else this.pending = { file, n: this.cells + 1, text: header + source, declared };
    return diagnostics;
  }

  /** Whether a cell checked without errors waits to be kept. */
  get hasPending(): boolean {
    return this.pending !== undefined;
  }

  /** Keeps the cell checked last (without errors): later cells see its names. */
  keep(): void {
    const pending = this.pending;
    if (!pending) throw new Error("no checked cell to keep");
    this.pending = undefined;
    this.cells = pending.n;
    const { names, exported } = pending.declared;
    for (const [name, variable] of names) this.definitions.set(name, { cell: pending.n, variable });
    const exportable = [...names.keys()].filter((name) => !exported.has(name));
    this.write(pending.file, `${pending.text}\nexport { ${exportable.join(", ")} };\n`); // sent with the next update
  }

  /** Forgets every cell (the notebook's namespace was reset). */
  reset(): void {
    this.dropPending();
    for (let n = 1; n <= this.cells; n++) this.write(path.join(this.dir, `cell${n}.ts`), undefined);
    this.definitions.clear();
    this.cells = 0;
  }

  private dropPending(): void {
    if (this.pending) this.write(this.pending.file, undefined);
    this.pending = undefined;
  }

  /**
   * Writes `source` as the next cell (dropping a pending one) and updates TypeScript: checked
   * as a module (so top-level await is allowed) exporting nothing yet. One update, unless the
   * cell redeclares an earlier name, which the header must then leave out.
   */
  private place(source: string): { file: string; header: string; declared: TopLevelNames } {
    this.dropPending();
    const file = path.join(this.dir, `cell${this.cells + 1}.ts`);
    let header = this.header(new Set<string>());
    const update = () => {
      this.write(file, `${header}${source}\nexport {};\n`);
      this.update();
    };
    update();
    const declared = this.topLevelNames(file, header.length);
    if ([...declared.names.keys()].some((name) => this.definitions.has(name))) {
      header = this.header(declared.names);
      update();
    }
    return { file, header, declared };
  }

  /**
   * Completion at `cursor` in `source` as the next cell (kept nowhere), filtered as tslab
   * filters. TypeScript 7's API completes members (after a dot) but refuses a bare name
   * ("completion list needs auto imports"), so a bare name is completed from the cells' own
   * top-level names, then those of earlier cells, then the members of globalThis (the standard
   * library's, Node's and `declare global` ones); names local to a function are not offered.
   */
  complete(source: string, cursor: number): CellCompletion {
    return this.withCompiler(() => this.completeNow(source, cursor));
  }

  private completeNow(source: string, cursor: number): CellCompletion {
    const word = /[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_]*$/u.exec(source.slice(0, cursor))?.[0] ?? "";
    const wordStart = cursor - word.length;
    const member = /\.\s*$/.test(source.slice(0, wordStart));
    const asked = member ? source : `${source.slice(0, wordStart)}globalThis.${source.slice(wordStart)}`;
    const at = member ? cursor : wordStart + "globalThis.".length;
    const { file, header, declared } = this.place(asked);
    try {
      const entries = [...(this.checker.getCompletionsAtPosition(file, header.length + at)?.entries ?? [])];
      if (member) return completionAt(source, cursor, entries);
      const names = [...declared.names.keys(), ...this.definitions.keys()].map((name) => ({ name, sortText: "0" }));
      const unique = new Map([...names, ...entries.map((e) => ({ name: e.name, sortText: `1${e.sortText ?? ""}` }))].map((e) => [e.name, e]));
      return completionAt(source, cursor, [...unique.values()]);
    } finally {
      this.write(file, undefined);
    }
  }

  /** What inspection shows of the name at `cursor` in `source` as the next cell (kept nowhere). */
  inspect(source: string, cursor: number): CellQuickInfo | undefined {
    return this.withCompiler(() => this.inspectNow(source, cursor));
  }

  private inspectNow(source: string, cursor: number): CellQuickInfo | undefined {
    // Only a name at (or right before) the cursor has quick info; TypeScript 7 answers
    // whitespace with the enclosing declaration.
    const name = /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_]/u;
    if (!name.test(source[cursor] ?? "") && !name.test(source[cursor - 1] ?? "")) return undefined;
    const { file, header, declared } = this.place(source);
    try {
      let found = this.checker.getSymbolAtPosition(file, header.length + cursor);
      if (!found) return undefined;
      // An earlier cell's variable is the header's `declare`: its docs are on the defining cell's.
      const definition = declared.names.has(found.name) ? undefined : this.definitions.get(found.name);
      if (definition?.variable) {
        const reference = `typeof ${cellModule(definition.cell)}.${found.name};`;
        const at = header.indexOf(reference);
        if (at >= 0) found = this.checker.getSymbolAtPosition(file, at + reference.length - 1 - found.name.length) ?? found;
      }
      const { Alias } = this.ts.SymbolFlags;
      const symbol = found.flags & Alias ? this.checker.getAliasedSymbol(found) : found;
      const sourceFile = this.program.getSourceFile(file); // names qualified as the cell reaches them (sl.BackendInfo)
      const keyword = declared.names.get(found.name) ?? definition?.variable;
      const display = this.quickInfoText(found.name, symbol, sourceFile, keyword);
      const docs = this.checker.getDocumentationCommentOfSymbol(symbol);
      const tags = this.checker.getJsDocTagsOfSymbol(symbol).map((tag) => ({ name: tag.name, text: tag.text ? [{ text: tag.text }] : undefined }));
      return { displayParts: [{ text: display }], documentation: docs ? [{ text: docs }] : [], tags };
    } finally {
      this.write(file, undefined);
    }
  }

  /** The first line of TypeScript's quick info (`const x: number`, `function f(a: number): string`, `class C`). */
  private quickInfoText(name: string, symbol: ApiSymbol, at: unknown, keyword: string | undefined): string {
    const { Function: FunctionFlag, Method, Class, Interface, TypeAlias, Enum, FunctionScopedVariable, BlockScopedVariable, Property, Module } = this.ts.SymbolFlags;
    const flags = symbol.flags;
    const typeText = (type: object | undefined) => (type ? this.checker.typeToString(type, at) : "");
    if (flags & Class) return `class ${typeText(this.checker.getDeclaredTypeOfSymbol(symbol))}`;
    if (flags & Interface) return `interface ${typeText(this.checker.getDeclaredTypeOfSymbol(symbol))}`;
    if (flags & Enum) return `enum ${name}`;
    if (flags & TypeAlias) return `type ${name} = ${typeText(this.checker.getDeclaredTypeOfSymbol(symbol))}`;
    const type = typeText(this.checker.getTypeOfSymbol(symbol));
    if (flags & (FunctionFlag | Method)) {
      const signature = asSignature(type);
      const prefix = flags & Method ? "(method) " : "function ";
      return signature ? `${prefix}${name}${signature}` : `${prefix}${name}: ${type}`;
    }
    if (flags & Property) return `(property) ${name}: ${type}`;
    if (flags & (FunctionScopedVariable | BlockScopedVariable)) return `${keyword ?? (flags & FunctionScopedVariable ? "var" : "const")} ${name}: ${type}`;
    if (flags & Module) return `namespace ${name}`;
    return `${name}: ${type}`;
  }

  private get checker(): ApiChecker {
    const project = this.snapshot?.getProject(this.configFile);
    if (!project) throw new Error("TypeScript 7 lost the cells' project");
    return project.checker;
  }

  /** A diagnostic's position moved from the cell's file to the cell's source. */
  private inCell(d: ApiDiagnostic, headerLength: number, sourceLength: number): CellDiagnostic {
    const clamp = (at: number) => Math.min(Math.max(at - headerLength, 0), sourceLength);
    const start = clamp(d.pos);
    return { start, length: Math.max(clamp(d.end) - start, 0), message: d.text, code: d.code, category: CATEGORIES[d.category] ?? "error" };
  }

  /** The header that brings in every earlier name the cell does not declare itself. */
  private header(own: ReadonlySet<string> | ReadonlyMap<string, unknown>): string {
    const imports = new Set<number>();
    const lines: string[] = [];
    for (const [name, { cell, variable }] of this.definitions) {
      if (own.has(name)) continue;
      imports.add(cell);
      lines.push(variable ? `declare ${variable} ${name}: typeof ${cellModule(cell)}.${name};` : `import ${name} = ${cellModule(cell)}.${name};`);
    }
    const importLines = [...imports].map((cell) => `import * as ${cellModule(cell)} from "./cell${cell}";`);
    return [...importLines, ...lines, ""].join("\n");
  }

  /**
   * The names a cell's top level declares after `from` (its header), with the keyword for
   * variables (undefined for the rest), and those it already exports. `declare global` and `declare module "x"` add no names:
   * their cell stays in the project, so they stay in force.
   */
  private topLevelNames(file: string, from: number): TopLevelNames {
    const { SyntaxKind: K, NodeFlags } = this.ts;
    const names = new Map<string, "let" | "const" | "var" | undefined>();
    const exported = new Set<string>();
    const statements = this.program.getSourceFile(file)?.statements ?? [];
    const list = (nodes: unknown) => Array.from((nodes as NodeList) ?? []);
    const text = (node: unknown) => (node as { text?: string } | undefined)?.text;
    const bindingNames = (name: AstNode | undefined): string[] => {
      if (!name) return [];
      if (name.kind === K.Identifier) return [text(name) as string];
      return list(name.elements).flatMap((element) => bindingNames(element.name as AstNode | undefined));
    };
    for (const statement of Array.from(statements)) {
      if (Number(statement.end) <= from) continue; // the header's (a statement's pos includes the trivia before it)
      const modifiers = list(statement.modifiers).map((m) => m.kind);
      if (modifiers.includes(K.DefaultKeyword)) continue;
      const isExported = modifiers.includes(K.ExportKeyword);
      const add = (name: string | undefined, variable?: "let" | "const" | "var") => {
        if (!name) return;
        names.set(name, variable);
        if (isExported) exported.add(name);
      };
      switch (statement.kind) {
        case K.VariableStatement: {
          const declarations = statement.declarationList as AstNode;
          const flags = Number(declarations.flags);
          if (flags & NodeFlags.Using) break; // disposed at the end of its cell
          const keyword = flags & NodeFlags.Const ? "const" : flags & NodeFlags.Let ? "let" : "var";
          for (const declaration of list(declarations.declarations)) for (const name of bindingNames(declaration.name as AstNode)) add(name, keyword);
          break;
        }
        case K.FunctionDeclaration:
        case K.ClassDeclaration:
        case K.InterfaceDeclaration:
        case K.TypeAliasDeclaration:
        case K.EnumDeclaration:
        case K.ImportEqualsDeclaration:
          add(text(statement.name));
          break;
        case K.ModuleDeclaration:
          if ((statement.name as AstNode | undefined)?.kind === K.Identifier && text(statement.name) !== "global") add(text(statement.name));
          break;
        case K.ImportDeclaration: {
          const clause = statement.importClause as AstNode | undefined;
          add(text(clause?.name));
          const bindings = clause?.namedBindings as AstNode | undefined;
          if (bindings?.kind === K.NamespaceImport) add(text(bindings.name));
          else for (const element of list(bindings?.elements)) add(text(element.name));
          break;
        }
      }
    }
    return { names, exported };
  }

  private readonly removeFolder = () => fs.rmSync(this.dir, { recursive: true, force: true });

  /** Ends TypeScript's process and removes the cells' folder. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    process.off("exit", this.removeFolder);
    try {
      if (!this.suspended) this.api.close();
    } finally {
      this.removeFolder();
    }
  }
}
