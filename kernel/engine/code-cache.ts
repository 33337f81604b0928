/**
 * V8's code cache for the TypeScript compiler: compiling its 8 MB script is a large part of
 * the kernel's start-up, and V8 can skip most of that work with the data a previous kernel
 * saved. Node >= 22.1 keeps such a cache itself (module.enableCompileCache); on Node 20 the
 * script is compiled here with vm.Script's cachedData, kept in a cache folder. The data is
 * saved once the script has done its first work (saveCodeCaches), so it also holds the
 * functions that work compiled: the next checker skips compiling those too.
 */
import crypto from "crypto";
import fs from "fs";
import Module from "module";
import os from "os";
import path from "path";
import vm from "vm";
import { threadId } from "worker_threads";

/** SEQLAB_CACHE_DIR, else $XDG_CACHE_HOME/seqlab, else ~/.cache/seqlab. */
export function cacheDir(): string {
  if (process.env.SEQLAB_CACHE_DIR) return process.env.SEQLAB_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "seqlab");
}

/**
 * The flags this process gave V8. V8 rejects code cached under other flags (the kernelspec
 * runs node with --max-semi-space-size=2; a test or a profiler may run it without, or with
 * more), so each set of flags keeps its own file instead of overwriting the others' in turn.
 */
function v8Flags(): string {
  return [...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" ");
}

/**
 * One cache file per script version, Node version, architecture and V8 flags (V8 rejects
 * others anyway), and per use (the functions one use runs, another may not).
 */
export function cacheFileFor(file: string, dir = cacheDir(), use = ""): string {
  const stat = fs.statSync(file);
  const key = crypto
    .createHash("sha256")
    .update(`one-byte\0${file}\0${use}\0${stat.size}\0${stat.mtimeMs}\0${process.version}\0${process.arch}\0${v8Flags()}`)
    .digest("hex");
  return path.join(dir, `${path.basename(file, ".js")}-${key.slice(0, 16)}.v8cache`);
}

/** Cache files kept: each is about 2 MB, and one is made per installed copy and set of flags. */
export const CODE_CACHES_KEPT = 8;

/**
 * Delete all but the `keep` most recently used cache files in dir (a use sets a file's
 * mtime), and temporary files over an hour old.
 */
export function pruneCodeCaches(dir = cacheDir(), keep = CODE_CACHES_KEPT): void {
  const names = fs.readdirSync(dir);
  // What a process killed while saving left behind.
  for (const f of names.filter((n) => n.endsWith(".tmp"))) {
    if (Date.now() - fs.statSync(path.join(dir, f)).mtimeMs > 3600_000) fs.rmSync(path.join(dir, f), { force: true });
  }
  const files = names
    .filter((f) => f.endsWith(".v8cache"))
    .map((f) => ({ file: path.join(dir, f), used: fs.statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const { file } of files.slice(keep)) fs.rmSync(file, { force: true });
}

/**
 * V8 trusts the data it is given: a damaged file (a bad disk, a copy cut short, a stray
 * write) crashes the process that reads it (SIGTRAP in the deserializer), and every kernel
 * after it. So each file starts with a SHA-256 of the data, checked before V8 sees it
 * (about 2 ms for TypeScript's 3 MB).
 */
const DIGEST_BYTES = 32;
const digestOf = (data: Uint8Array): Buffer => crypto.createHash("sha256").update(data).digest();

/** The data of a cache file, or undefined where its digest does not match (so unusable). */
export function unsealCodeCache(file: Buffer): Buffer | undefined {
  if (file.length <= DIGEST_BYTES) return undefined;
  const data = file.subarray(DIGEST_BYTES);
  return digestOf(data).equals(file.subarray(0, DIGEST_BYTES)) ? data : undefined;
}

function writeAtomically(file: string, data: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // A process's threads may save at once: each writes a temporary file of its own.
  const temp = `${file}.${process.pid}.${threadId}.tmp`;
  fs.writeFileSync(temp, Buffer.concat([digestOf(data), data]));
  fs.renameSync(temp, file);
}

/**
 * A module's text (UTF-8 bytes) with every character outside ASCII written as a \u escape.
 * V8 keeps a script's source for as long as the script lives, and one character above U+00FF
 * anywhere makes it store all of it in two bytes a character: TypeScript's 8 MB file has five
 * (in comments), so each TypeScript instance held 16 MB of source instead of 8. The bytes are
 * read as Latin-1 (one byte a character, and cheaper than decoding UTF-8), where each UTF-8
 * sequence is a run of characters from U+0080 up, and only those runs are decoded. The escape
 * means the same in a string, a regular expression or an identifier, and nothing in a comment;
 * a character right after a backslash would mean something else, so such a text is decoded
 * as it is. (A tagged template's raw text would show the escape: TypeScript's has none.)
 */
export function oneByteSource(bytes: Buffer): string {
  const text = bytes.toString("latin1");
  let afterBackslash = false;
  const escaped = text.replace(/[\x80-\xff]+/g, (run: string, offset: number) => {
    if (text.charCodeAt(offset - 1) === 0x5c) afterBackslash = true;
    const decoded = Buffer.from(run, "latin1").toString("utf8");
    let out = "";
    for (let i = 0; i < decoded.length; i++) out += `\\u${decoded.charCodeAt(i).toString(16).padStart(4, "0")}`;
    return out;
  });
  return afterBackslash ? bytes.toString("utf8") : escaped;
}

/** Turns on Node's own compile cache (Node >= 22.1) in cacheDir(); false where Node has none. */
function nodeCompileCache(): boolean {
  const enable = (Module as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  enable?.(cacheDir());
  return enable !== undefined;
}

/** The cache file for `file` and its usable data (none where it is missing, unreadable or damaged). */
function readCodeCache(file: string, dir: string, use = ""): { cacheFile?: string; cachedData?: Buffer } {
  let cacheFile: string | undefined;
  try {
    cacheFile = cacheFileFor(file, dir, use);
    return { cacheFile, cachedData: unsealCodeCache(fs.readFileSync(cacheFile)) };
  } catch {
    return { cacheFile };
  }
}

/** Modules loaded without usable data, whose data saveCodeCaches writes. */
const unsaved = new Map<string, { script: vm.Script; cacheFile: string }>();

/**
 * `require(file)` through the code cache: a CommonJS module registered in require.cache, so
 * every later require of it gets this instance. A cache that cannot be read or written only
 * costs time: the module loads all the same. `use` names what the module is loaded for
 * (each use keeps its own data).
 */
export function requireWithCodeCache(file: string, use = ""): unknown {
  const cached = require.cache[file];
  if (cached) return cached.exports;
  if (nodeCompileCache()) {
    return require(file);
  }
  const { cacheFile, cachedData } = readCodeCache(file, cacheDir(), use); // none yet: saveCodeCaches writes it
  const script = new vm.Script(Module.wrap(oneByteSource(fs.readFileSync(file))), { filename: file, cachedData });
  const mod = new Module(file, module);
  mod.filename = file;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  mod.paths = (Module as any)._nodeModulePaths(path.dirname(file));
  require.cache[file] = mod;
  try {
    (script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  } catch (err) {
    delete require.cache[file];
    throw err;
  }
  mod.loaded = true;
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    unsaved.set(file, { script, cacheFile });
  } else if (cacheFile) {
    try {
      const now = new Date();
      fs.utimesSync(cacheFile, now, now); // used: the last to be pruned
    } catch {
      // a read-only cache still serves
    }
  }
  return mod.exports;
}

/**
 * Writes the data of the modules loaded without it, holding every function they have run so
 * far (the caller calls this after their first typical work; made at load, the data held
 * the top level only, and the next load compiled each function again on first call).
 */
export function saveCodeCaches(): void {
  for (const [file, { script, cacheFile }] of unsaved) {
    unsaved.delete(file);
    try {
      writeAtomically(cacheFile, script.createCachedData());
      pruneCodeCaches(path.dirname(cacheFile));
    } catch {
      // a read-only home: the next start compiles again
    }
  }
}

/**
 * Cache files kept for modules: a kernel's start and its import of TensorFlow.js and seqlab
 * are some 600 files (about 5 MB) per installed copy and set of node flags.
 */
export const PACKAGE_CODE_CACHES_KEPT = 4000;

/** What each call of cachePackageCode asked to cache (any of them). */
const wantedBy: ((file: string) => boolean)[] = [];

/**
 * Text that may hold a dynamic import(): `import(` that is not a method's definition, as
 * tfjs-converter's `async import(keys, values) {` is (a call is never followed by a block).
 */
const MAY_IMPORT = /(?<![\w$.])import\s*\((?![^()]*\)\s*\{)/;

/**
 * V8's code cache for the modules `wanted` names: the kernel's own and its packages' (from
 * cli.ts, before they load), TensorFlow.js's and seqlab's wherever the notebook finds them
 * (main.ts). Each call adds to what is cached. Compiling their JavaScript was most of a cell
 * importing TensorFlow.js and seqlab (143 of some 320 ms in a profile), and some 40 ms of
 * the kernel's start. Node >= 22.1 caches every module
 * itself (module.enableCompileCache, turned on here instead). On Node 20 those files compile
 * through vm.Script with the data a previous kernel saved, and the data is made right after
 * each file has run: later the kernel changes V8's flags (the SIMD kernels' wasm tiering),
 * and V8 rejects data made under flags other than its own.
 */
export function cachePackageCode(wanted: (file: string) => boolean, dir = path.join(cacheDir(), "modules")): void {
  wantedBy.push(wanted);
  if (wantedBy.length > 1) return;
  if (nodeCompileCache()) {
    return;
  }
  type Compile = (this: Module, content: string, filename: string) => unknown;
  const proto = Module.prototype as unknown as { _compile: Compile };
  const compile = proto._compile;
  const toSave: { cacheFile: string; data: Buffer }[] = [];
  const used: string[] = [];
  // Disk work waits until the importing cell has ended.
  const later = () => {
    if (toSave.length + used.length === 0) setTimeout(saveAndMark, 0).unref();
  };
  const saveAndMark = () => {
    const now = new Date();
    try {
      for (const file of used.splice(0)) fs.utimesSync(file, now, now); // the last to be pruned
      for (const { cacheFile, data } of toSave.splice(0)) writeAtomically(cacheFile, data);
      pruneCodeCaches(dir, PACKAGE_CODE_CACHES_KEPT);
    } catch {
      // a read-only cache folder: the next kernel compiles again
    }
  };
  proto._compile = function (content, filename) {
    // import() needs the loader Node gives the code it compiles itself (vm's, on Node 20, is
    // experimental and lost with cached data), so a file that may use it compiles as usual.
    if (!wantedBy.some((want) => want(filename)) || MAY_IMPORT.test(content)) return compile.call(this, content, filename);
    const { cacheFile, cachedData } = readCodeCache(filename, dir); // none yet: made below
    let script: vm.Script;
    try {
      script = new vm.Script(Module.wrap(content), { filename, cachedData });
    } catch {
      // What only Node's loader handles: a .js file in ES module syntax (require of an ES
      // module), and real syntax errors, reported its own way.
      return compile.call(this, content, filename);
    }
    const run = script.runInThisContext() as (...args: unknown[]) => unknown;
    const result = run.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
    if (cacheFile && (!cachedData || script.cachedDataRejected)) {
      later();
      toSave.push({ cacheFile, data: script.createCachedData() });
    } else if (cacheFile) {
      later();
      used.push(cacheFile);
    }
    return result;
  };
}

/** The `require` a module's code gets, as Node makes it (resolving from the module, sharing the cache). */
function requireFor(mod: Module): NodeJS.Require {
  const internals = Module as unknown as { _resolveFilename(request: string, parent: Module, isMain: boolean, options?: unknown): string; _extensions: NodeJS.RequireExtensions; _cache: NodeJS.Dict<NodeJS.Module> };
  const require = ((id: string) => mod.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: { paths?: string[] }) => internals._resolveFilename(request, mod, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => (Module as unknown as { _resolveLookupPaths(request: string, parent: Module): string[] | null })._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = internals._extensions;
  require.cache = internals._cache;
  return require;
}
