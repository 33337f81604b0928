/**
 * Where a notebook's packages come from. The kernel is installed once (into a project, or
 * globally) and opens notebooks in any folder, like ipykernel importing from its
 * environment: a notebook's folder may have no node_modules at all.
 *
 * - `seqlab` resolves as Node resolves it from the notebook's folder (a project that
 *   installed seqlab gets its own copy), else it is the kernel's own installation.
 * - TensorFlow.js is one instance per process, shared by seqlab, the magics and the cells:
 *   tfjs-layers keeps class registries and checks `instanceof`, so two copies cannot mix.
 *   The folder's own `@tensorflow/tfjs` wins when its major version is the one seqlab was
 *   built for; otherwise seqlab's copy serves everyone and a note says why.
 *
 * The same table drives execution (a `Module._resolveFilename` hook, installed before
 * anything loads tfjs) and type checking (TypeScript `paths`, see toolchain.ts).
 */
import fs from "fs";
import Module from "module";
import path from "path";

export interface CellPackages {
  /** The folder notebooks run in. */
  rootDir: string;
  /** Package directory of the seqlab that cells import. */
  seqlabDir: string;
  /** Package directory of the kernel's own seqlab. */
  kernelSeqlabDir: string;
  /** Package directory of the one @tensorflow/tfjs everyone shares. */
  tfjsDir: string;
  /** Where @tensorflow/* packages are looked up, best first (tfjsDir's tree, then the kernel's). */
  tensorflowFrom: string[];
  /** Things a user should know (e.g. a folder's tfjs of another major version was set aside). */
  notes: string[];
}

const TENSORFLOW_PACKAGE = /^@tensorflow\/tfjs(?:-[a-z0-9-]+)?(?:\/.*)?$/;

interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as PackageJson;
}

/** The nearest folder at or above `dir` holding a package.json named `name`. */
function packageRootAbove(dir: string, name: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const file = path.join(d, "package.json");
    if (fs.existsSync(file)) {
      try {
        if (readPackage(d).name === name) return d;
      } catch {
        // an unreadable package.json is not ours; keep looking
      }
    }
    if (path.dirname(d) === d) return undefined;
  }
}

/** The directory of package `name` as Node resolves it from `fromDir`, or undefined. */
export function resolvePackageDir(name: string, fromDir: string): string | undefined {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [fromDir] }));
  } catch {
    return undefined;
  }
}

function major(version: string | undefined): number | undefined {
  const m = /(\d+)\./.exec(version ?? "");
  return m ? Number(m[1]) : undefined;
}

/** Works out the table for notebooks in `rootDir` (no side effects). */
export function locateCellPackages(rootDir: string): CellPackages {
  const kernelSeqlabDir = packageRootAbove(__dirname, "seqlab");
  if (!kernelSeqlabDir) throw new Error(`seqlab: cannot find the kernel's own package.json above ${__dirname}`);
  const seqlabDir = resolvePackageDir("seqlab", rootDir) ?? kernelSeqlabDir;
  const notes: string[] = [];

  const ownTfjs = resolvePackageDir("@tensorflow/tfjs", seqlabDir) ?? resolvePackageDir("@tensorflow/tfjs", kernelSeqlabDir);
  if (!ownTfjs) throw new Error(`seqlab: @tensorflow/tfjs is not installed beside ${seqlabDir}; reinstall seqlab`);
  let tfjsDir = ownTfjs;
  const folderTfjs = resolvePackageDir("@tensorflow/tfjs", rootDir);
  if (folderTfjs && folderTfjs !== ownTfjs) {
    const wanted = major(readPackage(seqlabDir).dependencies?.["@tensorflow/tfjs"]);
    const found = readPackage(folderTfjs).version;
    if (wanted === undefined || major(found) === wanted) {
      tfjsDir = folderTfjs;
    } else {
      notes.push(
        `this folder's @tensorflow/tfjs ${found} (${folderTfjs}) is not version ${wanted}.x, which seqlab needs: ` +
          `cells and seqlab share seqlab's copy (${readPackage(ownTfjs).version}) instead. ` +
          `Install @tensorflow/tfjs@${wanted} in this folder to use your own.`,
      );
    }
  }
  const tensorflowFrom = [...new Set([tfjsDir, ownTfjs, kernelSeqlabDir])];
  return { rootDir, seqlabDir, kernelSeqlabDir, tfjsDir, tensorflowFrom, notes };
}

let installed: CellPackages | undefined;

/**
 * Makes every `require("@tensorflow/...")` in this process (seqlab's, the magics', the
 * cells', tfjs's own) resolve from the shared tree, and a bare `seqlab` that the folder
 * lacks resolve to the kernel's own. Installed once, before tfjs loads; later calls return
 * the table in force.
 */
export function useCellPackages(rootDir: string): CellPackages {
  if (installed) return installed;
  const packages = locateCellPackages(rootDir);
  installed = packages;
  type Resolve = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
  const moduleWithResolve = Module as unknown as { _resolveFilename: Resolve };
  const original = moduleWithResolve._resolveFilename;
  moduleWithResolve._resolveFilename = function (request, parent, isMain, options) {
    if (TENSORFLOW_PACKAGE.test(request)) {
      for (const from of packages.tensorflowFrom) {
        try {
          return original.call(this, request, parent, isMain, { paths: [from] });
        } catch {
          // not in this tree; try the next
        }
      }
    } else if (request === "seqlab" || request.startsWith("seqlab/")) {
      try {
        return original.call(this, request, parent, isMain, options);
      } catch {
        // Not installed where the importer is: the kernel's own (a path, so no self-reference needed).
        return original.call(this, packages.kernelSeqlabDir + request.slice("seqlab".length), parent, isMain);
      }
    }
    return original.call(this, request, parent, isMain, options);
  };
  return packages;
}

/** The table in force (installing it for the current directory if nobody has yet). */
export function cellPackages(): CellPackages {
  return installed ?? useCellPackages(process.cwd());
}

/** A package's type declarations file, from its package.json (`types`, `typings`, or exports["."].types). */
export function typesFileOf(dir: string): string | undefined {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
      types?: string;
      typings?: string;
      exports?: Record<string, unknown>;
    };
    const dot = pkg.exports?.["."];
    const fromExports = dot && typeof dot === "object" ? ((dot as Record<string, unknown>).types as string | undefined) : undefined;
    const types = fromExports ?? pkg.types ?? pkg.typings;
    return types ? path.join(dir, types) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * TypeScript `paths` that make the type checkers see the packages execution loads:
 * `seqlab` and every `@tensorflow/*` package from the shared trees, so the
 * declarations seqlab's types import are the same ones the cells import.
 */
export function cellPathMappings(): Record<string, string[]> {
  const packages = cellPackages();
  const mappings: Record<string, string[]> = {};
  const seqlabTypes = typesFileOf(packages.seqlabDir);
  if (seqlabTypes && fs.existsSync(seqlabTypes)) mappings.seqlab = [seqlabTypes];
  const scopes = packages.tensorflowFrom.map((dir) =>
    path.basename(path.dirname(dir)) === "@tensorflow" ? path.dirname(dir) : path.join(dir, "node_modules", "@tensorflow"),
  );
  mappings["@tensorflow/*"] = [...new Set(scopes)].filter((d) => fs.existsSync(d)).map((d) => path.join(d, "*"));
  return mappings;
}
