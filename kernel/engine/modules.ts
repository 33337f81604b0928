/**
 * The `require` cell code gets. tslab compiles `import` to `require`, which cannot load
 * every ES module (one with top-level await, or a package exporting only an "import"
 * condition; tslab issue 72). Before a cell runs we try each module it requires; those
 * `require` refuses are loaded with a real dynamic `import()` resolved from the root
 * directory, and `require` then hands back that namespace. Local .ts/.js files the cell
 * imports arrive compiled from tslab ("side outputs") and are loaded from memory; without
 * them (the light compiler's path) a local .ts file is compiled here, again when it changes.
 */
import Module from "module";
import path from "path";
import vm from "vm";
import { pathToFileURL } from "url";
import fs from "fs";
import { cellPackages } from "./packages";
import { typeScriptModuleToCommonJS } from "./strip-types";

const ESM_ONLY_CODES = new Set(["ERR_REQUIRE_ESM", "ERR_REQUIRE_ASYNC_MODULE", "ERR_PACKAGE_PATH_NOT_EXPORTED"]);
/** Imports after which a cell may make tensors. */
const TENSOR_LIBRARY = /^(?:seqlab|@tensorflow\/tfjs[a-z0-9-]*)(?:\/|$)/;
/** The `require("...")` calls tslab's CommonJS emit makes for static imports. */
const REQUIRE_CALL = /\brequire\("((?:[^"\\]|\\.)+)"\)/g;

export class CellModules {
  private readonly base: NodeJS.Require;
  private readonly esm = new Map<string, unknown>();
  private readonly sideOutputs = new Map<string, string>();
  private readonly sideModules = new Map<string, Module>();
  /** When each local .ts file compiled here was last modified. */
  private readonly compiledFiles = new Map<string, number>();
  private backendChosen?: Promise<void>;
  private readonly importFromRoot: (specifier: string) => Promise<Record<string, unknown>>;
  readonly require: NodeJS.Require;

  constructor(private readonly rootDir: string) {
    this.base = Module.createRequire(path.join(rootDir, "__seqlab_cell__.js"));
    // A script whose file sits in rootDir, so bare specifiers resolve from the user's project.
    const script = new vm.Script("(specifier) => import(specifier)", {
      filename: path.join(rootDir, "__seqlab_import__.js"),
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    this.importFromRoot = script.runInThisContext() as (s: string) => Promise<Record<string, unknown>>;
    this.require = this.makeRequire(this.base, rootDir);
  }

  /** Records compiled local files from a conversion (replacing older versions). */
  addSideOutputs(outputs: Array<{ path: string; data: string }> | undefined): void {
    for (const out of outputs ?? []) {
      this.sideModules.delete(out.path);
      this.sideOutputs.set(out.path, out.data);
    }
  }

  /**
   * Loads, through import(), every module of `js` that require cannot load; before the first
   * cell that imports seqlab or TensorFlow.js, lets seqlab choose the backend.
   */
  async prepare(js: string): Promise<void> {
    for (const match of js.matchAll(REQUIRE_CALL)) {
      const specifier = JSON.parse(`"${match[1]}"`) as string;
      if (TENSOR_LIBRARY.test(specifier)) await this.chooseBackend();
      if (this.esm.has(specifier) || specifier.startsWith(".") || specifier.startsWith("node:")) continue;
      if (Module.isBuiltin(specifier)) continue;
      try {
        this.base(specifier);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (!code || !ESM_ONLY_CODES.has(code)) continue; // the cell will report it when it runs
        const target = path.isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier;
        const namespace = await this.importFromRoot(target);
        // Mark it an ES module so the emitted interop helpers read `default` and names as is.
        this.esm.set(specifier, Object.freeze({ __esModule: true, ...namespace }));
      }
    }
  }

  /**
   * tfjs picks its backend at the first tensor, and cannot pick an asynchronous one (wasm)
   * then: it would fall back to the slow cpu backend. So seqlab chooses (lib/backend.ts
   * `ready`) before a cell that could make tensors runs. Notes about the packages in use
   * (packages.ts) are printed here too, once.
   */
  private chooseBackend(): Promise<void> {
    this.backendChosen ??= (async () => {
      for (const note of cellPackages().notes) console.warn(`seqlab: ${note}`);
      const seqlab = this.base("seqlab") as { ready?: () => Promise<unknown> };
      if (typeof seqlab.ready === "function") await seqlab.ready();
    })().catch((err: unknown) => {
      this.backendChosen = undefined; // the cell reports it; the next one tries again
      throw err;
    });
    return this.backendChosen;
  }

  private makeRequire(base: NodeJS.Require, dirname: string): NodeJS.Require {
    const cellRequire = ((id: string) => {
      const local = this.fromSideOutputs(id, dirname);
      if (local) return local;
      if (this.esm.has(id)) return this.esm.get(id);
      return base(id);
    }) as NodeJS.Require;
    cellRequire.resolve = base.resolve;
    cellRequire.cache = base.cache;
    cellRequire.main = base.main;
    cellRequire.extensions = base.extensions;
    return cellRequire;
  }

  private fromSideOutputs(id: string, dirname: string): unknown {
    if (!id.startsWith(".") && !path.isAbsolute(id)) return undefined;
    let filename = path.resolve(dirname, id);
    if (path.extname(filename) === "") filename += ".js";
    if (!this.sideOutputs.has(filename) || this.compiledFiles.has(filename)) this.compileLocalTypeScript(filename);
    const cached = this.sideModules.get(filename);
    if (cached) return cached.exports;
    const code = this.sideOutputs.get(filename);
    if (code === undefined) return undefined;
    const mod = new Module(filename, module);
    mod.filename = filename;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    mod.paths = (Module as any)._nodeModulePaths(path.dirname(filename));
    mod.require = this.makeRequire(Module.createRequire(filename), path.dirname(filename));
    this.sideModules.set(filename, mod);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (mod as any)._compile(code, filename);
    return mod.exports;
  }

  /**
   * Compiles the .ts file behind `filename` (a .js path, as TypeScript writes imports) unless
   * it is compiled as it is now; a changed file is loaded afresh on its next import.
   */
  private compileLocalTypeScript(filename: string): void {
    const source = filename.replace(/\.js$/, ".ts");
    let modified: number;
    try {
      modified = fs.statSync(source).mtimeMs;
    } catch {
      return; // no such file: require reports it
    }
    if (this.compiledFiles.get(filename) === modified) return;
    this.addSideOutputs([{ path: filename, data: typeScriptModuleToCommonJS(fs.readFileSync(source, "utf8"), source) }]);
    this.compiledFiles.set(filename, modified);
  }

  /** Where relative imports of cells resolve from. */
  get root(): string {
    return this.rootDir;
  }
}
