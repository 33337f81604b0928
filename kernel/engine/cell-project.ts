/**
 * A notebook's cells as a project of TypeScript 7, the native compiler, reached through its
 * synchronous API (a child process that holds the project between calls). Type-checking a
 * cell against the standard library, @types/node, seqlab and TensorFlow.js takes it about a
 * tenth of a second from a cold start where TypeScript 5 in JavaScript takes well over one
 * (see `npm run bench:checker`). @types/node loads when a cell first needs it (node-types.ts).
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
 * The engine checks cells with it unless the user asks for TypeScript 5 (native-checking.ts).
 */
import fs from "fs";
import os from "os";
import path from "path";
import { loadTypeScript7, startCompiler, compilerOptions, compilerPidFile, type Api, type ApiChecker, type ApiDiagnostic, type ApiProgram, type ApiSnapshot, type ApiSymbol, type AstNode, type NodeList, type TypeScript7 } from "./typescript7";
import { namesInScopeAt } from "./scope-names";
import { childPids, terminate } from "../children";
import { completesNodeGlobal, GLOBALS_WITHOUT_NODE, GLOBALS_WITHOUT_NODE_FILE, wantsNodeTypes } from "./node-types";
import { asSignature, atIdentifier, completionAt, wordBefore, type CellCompletion, type CellQuickInfo } from "./cell-answers";

export type { CellCompletion, CellQuickInfo } from "./cell-answers";

/** A type error in a cell, positioned in the cell's own source. */
export interface CellDiagnostic {
  start: number;
  length: number;
  message: string;
  code: number;
  category: "error" | "warning" | "suggestion" | "message";
}

/** What a later cell needs to know of a name an accepted cell declares. */
type Definition = { cell: number; variable?: "let" | "const" | "var" };

/** A cell's top-level names (with the keyword of variables) and those it exports itself. */
interface TopLevelNames {
  names: Map<string, "let" | "const" | "var" | undefined>;
  exported: Set<string>;
}

/** Writes the cells' tsconfig.json, with or without @types/node. */
function writeConfig(rootDir: string, dir: string, nodeTypes: boolean): void {
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: compilerOptions(rootDir, dir, nodeTypes), include: ["*.ts"] }, null, 1));
}

/** The header's name for the module of cell `n` (not a name users write). */
const cellModule = (n: number) => `__seqlab_cell${n}`;

const CATEGORIES: CellDiagnostic["category"][] = ["warning", "error", "suggestion", "message"];

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
  /** Whether @types/node is in the project (else GLOBALS_WITHOUT_NODE stands in for it). */
  private nodeTypes = false;
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
      writeConfig(rootDir, dir, false);
      fs.writeFileSync(path.join(dir, GLOBALS_WITHOUT_NODE_FILE), GLOBALS_WITHOUT_NODE);
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
      if (this.closed) throw err;
      // A signal (an interrupt) that lands while the main thread reads TypeScript's answer
      // breaks the read (EINTR) mid-answer: that channel is out of step for good, so the
      // process is replaced rather than asked again (asking again hung the kernel).
      const broken = (err as NodeJS.ErrnoException)?.code === "EINTR";
      if (!broken && this.compilerAlive()) throw err;
      if (broken) {
        try {
          this.api.close();
        } catch {
          // ends it as well as it can; a new one starts next
        }
      }
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

  /** Whether @types/node has been loaded (a cell needed it). */
  get hasNodeTypes(): boolean {
    return this.nodeTypes;
  }

  /**
   * Puts @types/node in the project in place of GLOBALS_WITHOUT_NODE, dropping the cell
   * `placed` for the question (it is asked again). TypeScript 7 starts again on the new
   * configuration (a tenth of a second), which also drops the old program.
   */
  private loadNodeTypes(placed: string): void {
    this.write(placed, undefined);
    this.dropPending();
    this.nodeTypes = true;
    writeConfig(this.rootDir, this.dir, true);
    fs.rmSync(path.join(this.dir, GLOBALS_WITHOUT_NODE_FILE), { force: true });
    this.api.close();
    this.restart();
  }

  /** Loads @types/node and returns true when the placed cell's errors say it needs it. */
  private neededNodeTypes(file: string, diagnostics?: readonly ApiDiagnostic[]): boolean {
    if (this.nodeTypes) return false;
    if (!(diagnostics ?? this.program.getSemanticDiagnostics(file)).some(wantsNodeTypes)) return false;
    this.loadNodeTypes(file);
    return true;
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
    if (this.neededNodeTypes(file, found)) return this.checkNow(source);
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
   * library's, Node's and `declare global` ones); inside a function, its parameters and locals
   * come first (scope-names.ts).
   */
  complete(source: string, cursor: number): CellCompletion {
    return this.withCompiler(() => this.completeNow(source, cursor));
  }

  private completeNow(source: string, cursor: number): CellCompletion {
    const word = wordBefore(source, cursor);
    const wordStart = cursor - word.length;
    const member = /\.\s*$/.test(source.slice(0, wordStart));
    const asked = member ? source : `${source.slice(0, wordStart)}globalThis.${source.slice(wordStart)}`;
    const at = member ? cursor : wordStart + "globalThis.".length;
    const { file, header, declared } = this.place(asked);
    try {
      if (this.neededNodeTypes(file)) return this.completeNow(source, cursor); // `process.`
      const entries = [...(this.checker.getCompletionsAtPosition(file, header.length + at)?.entries ?? [])];
      if (member) return completionAt(source, cursor, entries);
      if (!this.nodeTypes && completesNodeGlobal(word, new Set(entries.map((e) => e.name)))) {
        this.loadNodeTypes(file);
        return this.completeNow(source, cursor); // `proc`
      }
      const sourceFile = this.program.getSourceFile(file);
      const locals = sourceFile ? namesInScopeAt(this.ts, sourceFile, header.length + at) : [];
      const names = [...locals, ...declared.names.keys(), ...this.definitions.keys()].map((name) => ({ name, sortText: "0" }));
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
    if (!atIdentifier(source, cursor)) return undefined;
    const { file, header, declared } = this.place(source);
    try {
      if (this.neededNodeTypes(file)) return this.inspectNow(source, cursor);
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

  /**
   * Ends TypeScript's process and removes the cells' folder. Resolves once the process has
   * ended (killed if it has not within `graceMs`), so that a kernel shutting down does not
   * take it for a process a cell started.
   */
  close(graceMs = 1000): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    process.off("exit", this.removeFolder);
    const pid = this.suspended ? undefined : this.compilerPid();
    try {
      if (!this.suspended) this.api.close();
    } finally {
      this.removeFolder();
    }
    return pid === undefined ? Promise.resolve() : terminate([pid], graceMs);
  }

  /** TypeScript's process, while it is this process's child (none on Windows: no pid file). */
  private compilerPid(): number | undefined {
    try {
      const pid = Number(fs.readFileSync(compilerPidFile(this.dir), "utf8"));
      return childPids().includes(pid) ? pid : undefined; // not a pid reused since it ended
    } catch {
      return undefined;
    }
  }
}
