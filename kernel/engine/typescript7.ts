/**
 * TypeScript 7, the native compiler, as the cell project uses it (cell-project.ts): its
 * synchronous API loaded from the optional dependency, the compiler options that mirror
 * tslab's, and the compiler's process started outside the kernel's process group.
 */
import fs from "fs";
import path from "path";
import { pathToFileURL } from "url";
import { cellPathMappings } from "./packages";
import { TYPESCRIPT7_PACKAGE } from "./typescript-choice";

// The parts of TypeScript 7's API used here (its own declarations need a module resolution
// this project's build does not use).
export interface AstNode {
  readonly kind: number;
  readonly [key: string]: unknown;
}
export type NodeList = ArrayLike<AstNode> | undefined;
export interface ApiDiagnostic {
  pos: number;
  end: number;
  code: number;
  category: number;
  text: string;
}
export interface ApiProgram {
  getSourceFile(file: string): (AstNode & { statements: ArrayLike<AstNode> }) | undefined;
  getSyntacticDiagnostics(file?: string): readonly ApiDiagnostic[];
  getSemanticDiagnostics(file?: string): readonly ApiDiagnostic[];
  getProgramDiagnostics(): readonly ApiDiagnostic[];
}
export interface ApiSymbol {
  readonly name: string;
  readonly flags: number;
}
export interface ApiChecker {
  getSymbolAtPosition(file: string, position: number): ApiSymbol | undefined;
  getAliasedSymbol(symbol: ApiSymbol): ApiSymbol;
  getTypeOfSymbol(symbol: ApiSymbol): object | undefined;
  getDeclaredTypeOfSymbol(symbol: ApiSymbol): object;
  typeToString(type: object, enclosingDeclaration?: unknown, flags?: number): string;
  getDocumentationCommentOfSymbol(symbol: ApiSymbol): string;
  getJsDocTagsOfSymbol(symbol: ApiSymbol): readonly { name: string; text?: string }[];
  getCompletionsAtPosition(file: string, position: number): { entries: readonly { name: string; sortText?: string }[] } | undefined;
}
export interface ApiSnapshot {
  getProject(configFile: string): { program: ApiProgram; checker: ApiChecker } | undefined;
  dispose(): void;
}
export interface Api {
  updateSnapshot(params: Record<string, unknown>): ApiSnapshot;
  close(): void;
}
export interface TypeScript7 {
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
    const root = path.dirname(require.resolve(`${TYPESCRIPT7_PACKAGE}/package.json`));
    const load = (file: string) => dynamicImport(pathToFileURL(path.join(root, "dist", file)).href);
    const [api, ast, options] = await Promise.all([load("api/sync/api.js"), load("ast/index.js"), load("api/options.js")]);
    const exePath = (options.resolveExePath as (o: object) => string)({});
    return { API: api.API, exePath, SyntaxKind: ast.SyntaxKind, NodeFlags: ast.NodeFlags, SymbolFlags: api.SymbolFlags } as TypeScript7;
  })();
  return loading;
}

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
 * before (7 loads none unless listed). With `nodeTypes`, @types/node too, the kernel's own
 * where the folder has none (Node's globals, as tslab gives them); without, not even the
 * folder's (node-types.ts says when it is needed). The kernel's other @types packages (its
 * dependencies') are not the notebook's. The cells' folder is private, so the notebook's own
 * files resolve through `rootDirs` and its packages through `paths`.
 */
export function compilerOptions(rootDir: string, cellsDir: string, nodeTypes: boolean): Record<string, unknown> {
  const modules = nodeModulesAbove(rootDir);
  const typeRoots = modules.map((dir) => path.join(dir, "@types")).filter((dir) => fs.existsSync(dir));
  const types = new Set(typeRoots.flatMap((dir) => fs.readdirSync(dir).filter((name) => !name.startsWith("."))));
  if (!nodeTypes) types.delete("node");
  else if (!types.has("node")) {
    typeRoots.push(path.dirname(path.dirname(require.resolve("@types/node/package.json"))));
    types.add("node");
  }
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
    types: [...types],
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
 * still ends with the kernel: its requests come on a pipe that closes then. The launcher
 * writes the process's pid (exec keeps it) to `compilerPidFile`, so that closing can wait
 * for the process to end.
 */
export function startCompiler(ts: TypeScript7, rootDir: string, cellsDir: string): Api {
  let tsserverPath: string | undefined;
  if (process.platform !== "win32") {
    tsserverPath = path.join(cellsDir, "typescript-in-own-session");
    const exe = JSON.stringify(ts.exePath);
    const pidFile = JSON.stringify(compilerPidFile(cellsDir));
    fs.writeFileSync(tsserverPath, `#!/bin/sh\necho $$ > ${pidFile}\nif command -v setsid >/dev/null 2>&1; then exec setsid ${exe} "$@"; fi\nexec ${exe} "$@"\n`, { mode: 0o755 });
  }
  const own = process.env.GOGC;
  process.env.GOGC = own ?? "50"; // the child inherits the environment at spawn
  try {
    return new ts.API({ cwd: rootDir, tsserverPath });
  } finally {
    if (own === undefined) delete process.env.GOGC;
  }
}

/** Where the launcher writes the pid of the compiler it started last (POSIX only). */
export function compilerPidFile(cellsDir: string): string {
  return path.join(cellsDir, "typescript.pid");
}
