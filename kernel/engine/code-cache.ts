/**
 * V8's code cache for the TypeScript compiler: compiling its 8 MB script is a large part of
 * the kernel's start-up, and V8 can skip most of that work with the data a previous kernel
 * saved. Node >= 22.1 keeps such a cache itself (module.enableCompileCache); on Node 20 the
 * script is compiled here with vm.Script's cachedData, kept in a cache folder.
 */
import crypto from "crypto";
import fs from "fs";
import Module from "module";
import os from "os";
import path from "path";
import vm from "vm";

/** SEQLAB_CACHE_DIR, else $XDG_CACHE_HOME/seqlab, else ~/.cache/seqlab. */
export function cacheDir(): string {
  if (process.env.SEQLAB_CACHE_DIR) return process.env.SEQLAB_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "seqlab");
}

/** One cache file per script version, Node version and architecture (V8 rejects others anyway). */
export function cacheFileFor(file: string, dir = cacheDir()): string {
  const stat = fs.statSync(file);
  const key = crypto.createHash("sha256").update(`${file}\0${stat.size}\0${stat.mtimeMs}\0${process.version}\0${process.arch}`).digest("hex");
  return path.join(dir, `${path.basename(file, ".js")}-${key.slice(0, 16)}.v8cache`);
}

function writeAtomically(file: string, data: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, data);
  fs.renameSync(temp, file);
}

/**
 * `require(file)` through the code cache: a CommonJS module registered in require.cache, so
 * every later require of it gets this instance. A cache that cannot be read or written only
 * costs time: the module loads all the same.
 */
export function requireWithCodeCache(file: string): unknown {
  const cached = require.cache[file];
  if (cached) return cached.exports;
  const enableCompileCache = (Module as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (enableCompileCache) {
    enableCompileCache(cacheDir());
    return require(file);
  }
  let cacheFile: string | undefined;
  let cachedData: Buffer | undefined;
  try {
    cacheFile = cacheFileFor(file);
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // no cache yet: it is written below
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, "utf8")), { filename: file, cachedData });
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
  // Made right after loading, the cache holds the script's top level only: functions compile
  // lazily as before, so the kernel's memory does not grow with it.
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    try {
      writeAtomically(cacheFile, script.createCachedData());
    } catch {
      // a read-only home: the next start compiles again
    }
  }
  return mod.exports;
}
