/**
 * A light start-up: the engine loads without TensorFlow.js, and cells first meet a type
 * checker that knows the standard library only, without changing what cells report.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { cacheFileFor, oneByteSource, pruneCodeCaches, requireWithCodeCache, saveCodeCaches, unsealCodeCache } from "../../kernel/engine/code-cache";
import v8 from "v8";
import { TypeCheckers } from "../../kernel/engine/checkers";
import { CellChecker } from "../../kernel/engine/checker-client";
import { RecordingHost, disposeEngineAfterSuite, disposeSharedEngine, engine, errorOf, resultText, run } from "./harness";
import { TypeScriptEngine } from "../../kernel/engine";

const distDir = path.resolve(__dirname, "..", "..");

const diagnosticsOf = (checker: CellChecker, code: string): string[] => checker.convert("", code).diagnostics.map((d) => d.messageText);

/** Runs `test` with a fresh TypeCheckers for the working folder, closed afterwards. */
async function withCheckers(test: (checkers: TypeCheckers) => Promise<void>, warmUp?: { prevDecl: string; source: string }): Promise<void> {
  const checkers = new TypeCheckers(process.cwd(), warmUp);
  try {
    await test(checkers);
  } finally {
    await checkers.close();
  }
}

describe("engine: a light start-up", function () {
  this.timeout(120000);

  it("loading the engine module loads no TensorFlow.js (the library loads on first use)", () => {
    const script = [
      `require(${JSON.stringify(path.join(distDir, "kernel", "engine", "packages"))}).useCellPackages(process.cwd());`,
      `require(${JSON.stringify(path.join(distDir, "kernel", "engine"))});`,
      `console.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes("@tensorflow"))));`,
    ].join("\n");
    const loaded = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as string[];
    expect(loaded).to.deep.equal([]);
  });

  it("the first checker knows the standard library only; the full one every @types package", async () => {
    await withCheckers(async (checkers) => {
      const first = await checkers.first();
      expect(checkers.live).to.equal(first);
      expect(diagnosticsOf(first, "[1, 2].map((v) => v * 2)")).to.deep.equal([]);
      expect(diagnosticsOf(first, "process.pid").join("\n")).to.match(/Cannot find name 'process'/);
      expect(checkers.hasFull).to.equal(false);
      const full = await checkers.complete();
      expect(checkers.live).to.equal(full);
      expect(diagnosticsOf(full, "process.pid")).to.deep.equal([]);
      expect(await checkers.first()).to.equal(full);
    });
  });

  it("checkers load in threads of their own: the quick one answers while the full one loads", async () => {
    await withCheckers(async (checkers) => {
      const quick = await checkers.first();
      const full = checkers.complete();
      let fullLoaded = false;
      void full.then(() => (fullLoaded = true));
      // Asked while the full checker loads, the quick one serves (before, this waited for it).
      expect(await checkers.first()).to.equal(quick);
      expect(diagnosticsOf(quick, "const n: number = 1;")).to.deep.equal([]);
      expect(fullLoaded, "the full checker loaded before the quick one answered").to.equal(false);
      expect(await full).to.not.equal(quick);
      expect(await checkers.first()).to.equal(await full);
      // The quick one has ended; a call to it says so instead of waiting.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(() => quick.convert("", "1")).to.throw(/closed/);
    });
  });

  it("the full checker's warm-up cell leaves nothing declared", async () => {
    const warmUp = { prevDecl: "", source: 'import * as sl from "seqlab";\nconst warmed = 1;\n' };
    await withCheckers(async (checkers) => {
      const full = await checkers.complete(true);
      const names = diagnosticsOf(full, "warmed + sl.backendInfo().simd.threads").join("\n");
      expect(names).to.match(/Cannot find name 'warmed'/);
      expect(names).to.match(/Cannot find name 'sl'/);
      expect(diagnosticsOf(full, 'import * as sl from "seqlab";\nconst n: number = sl.backendInfo().simd.threads;')).to.deep.equal([]);
    }, warmUp);
  });

  it("released, the checkers end; the next request loads the full one, which types as before", async () => {
    await withCheckers(async (checkers) => {
      const quick = await checkers.first();
      expect(await checkers.release()).to.equal(true);
      expect(checkers.live).to.equal(undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(() => quick.convert("", "1")).to.throw(/closed/);
      const again = await checkers.first();
      expect(checkers.hasFull, "after a release the full checker serves").to.equal(true);
      expect(diagnosticsOf(again, "process.pid")).to.deep.equal([]);
      expect(await checkers.release()).to.equal(true);
      expect(await checkers.release(), "nothing left to release").to.equal(false);
    });
  });

  it("a checker thread collects the garbage each check leaves, also when cells come back to back", async () => {
    await withCheckers(async (checkers) => {
      const full = await checkers.complete();
      const prevDecl = full.convert("", 'import * as sl from "seqlab";\nconst base: number[] = [1, 2, 3];').declOutput ?? "";
      const start = full.heapUsed();
      let most = start;
      for (let i = 0; i < 120; i++) {
        expect(full.convert(prevDecl, `const v${i} = base.map((x) => x * ${i} * sl.backendInfo().simd.threads);`).diagnostics).to.deep.equal([]);
        most = Math.max(most, full.heapUsed());
      }
      // Each check leaves a few MB; uncollected, 120 of them pile up far past the 64 MB allowed.
      expect((most - start) / 2 ** 20).to.be.lessThan(64 + 16);
    });
  });

  it("a checker whose thread ended says so, and the next request gets a new one", async () => {
    await withCheckers(async (checkers) => {
      const quick = await checkers.first();
      await (quick as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      expect(() => quick.convert("", "1")).to.throw(/ended unexpectedly; run the cell again/);
      const next = await checkers.first();
      expect(next).to.not.equal(quick);
      expect(checkers.live).to.equal(next);
      expect(diagnosticsOf(next, "const n: number = 1;")).to.deep.equal([]);
    });
  });

  it("TypeScript never loads on the kernel's main thread", () => {
    const script = [
      `require(${JSON.stringify(path.join(distDir, "kernel", "engine", "packages"))}).useCellPackages(process.cwd());`,
      `const { TypeScriptEngine } = require(${JSON.stringify(path.join(distDir, "kernel", "engine"))});`,
      `const engine = new TypeScriptEngine({ handleSigint: false, fullCheckerIdleMs: -1 });`,
      `const host = { stdout() {}, stderr() {}, display() {}, clearOutput() {}, payload() {}, input: async () => "" };`,
      `(async () => {`,
      `  const outcome = await engine.execute(${JSON.stringify("const xs: number[] = [1, 2];\nxs.map((x) => x * 21)[1]")}, host, { silent: false, storeHistory: true, executionCount: 1 });`,
      `  const loaded = Object.keys(require.cache).filter((f) => f.endsWith(${JSON.stringify(path.join("lib", "typescript.js"))}) || f.includes("tslab/dist/converter"));`,
      `  await engine.dispose();`,
      `  console.log(JSON.stringify({ result: outcome.result?.data["text/plain"], loaded }));`,
      `})();`,
    ].join("\n");
    const out = JSON.parse(execFileSync(process.execPath, ["-e", `const path = require("path");\n${script}`], { encoding: "utf8" })) as { result: string; loaded: string[] };
    expect(out.result).to.equal("42");
    expect(out.loaded).to.deep.equal([]);
  });

  describe("the code cache", () => {
    /** A module whose one function is long enough that its compiled code shows in the cache data. */
    const writeWorkModule = (file: string): string => {
      const body = Array.from({ length: 200 }, (_, i) => `  total += Math.sqrt(n + ${i}) * ${i};`).join("\n");
      fs.writeFileSync(file, `exports.work = function (n) {\n  let total = 0;\n${body}\n  return total;\n};\n`);
      return file;
    };
    let dir: string;
    let saved: string | undefined;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-code-cache-"));
      saved = process.env.SEQLAB_CACHE_DIR;
      process.env.SEQLAB_CACHE_DIR = dir;
    });
    after(() => {
      if (saved === undefined) delete process.env.SEQLAB_CACHE_DIR;
      else process.env.SEQLAB_CACHE_DIR = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    });

    /** V8's serializer tags a string stored one byte a character with '"', a two-byte one with 'c'. */
    const storedOneByte = (text: string): boolean => v8.serialize(text)[2] === 0x22;

    it("stores a module's text one byte a character, its characters above U+00FF meaning the same", () => {
      const file = path.join(dir, "wide.js");
      const source = "// don\u2019t\nconst \u03c0 = 3;\nexports.text = \"it\u2019s \u2192 \ud83c\udfb5\";\nexports.pattern = /\u2192/u.test(\"a\u2192b\");\nexports.template = `\u2019${\u03c0}`;\n";
      fs.writeFileSync(file, source);
      expect(storedOneByte(fs.readFileSync(file, "utf8")), "the file as read").to.equal(false);
      expect(storedOneByte(oneByteSource(Buffer.from(source)))).to.equal(true);
      expect(requireWithCodeCache(file)).to.deep.equal({ text: "it\u2019s \u2192 \ud83c\udfb5", pattern: true, template: "\u20193" });
      // An escape written after a backslash would mean something else: such a text is kept.
      expect(oneByteSource(Buffer.from("a = '\\\u2019'"))).to.equal("a = '\\\u2019'");
      delete require.cache[file];
    });

    it("loads a module, saves V8's data for it once it has run, and a later load uses that data", () => {
      const file = path.join(dir, "answer.js");
      fs.writeFileSync(file, "exports.answer = require('path').basename('/a/42');\nexports.filename = __filename;\n");
      const first = requireWithCodeCache(file) as { answer: string; filename: string };
      expect(first).to.deep.equal({ answer: "42", filename: file });
      expect(requireWithCodeCache(file)).to.equal(first); // one instance, as require gives
      const cacheFile = cacheFileFor(file, dir);
      expect(fs.existsSync(cacheFile), "saved when told").to.equal(false);
      saveCodeCaches();
      const written = fs.statSync(cacheFile);
      expect(written.size).to.be.greaterThan(0);
      delete require.cache[file];
      const second = requireWithCodeCache(file) as { answer: string };
      expect(second).to.not.equal(first);
      expect(second.answer).to.equal("42");
      saveCodeCaches();
      // Data V8 rejected would have been written again (a new file, renamed into place).
      expect(fs.statSync(cacheFile).ino).to.equal(written.ino);
      delete require.cache[file];
    });

    it("saves the functions a module has run by then, in a file of that use's own", () => {
      const file = writeWorkModule(path.join(dir, "work.js"));
      const loaded = (use: string, run: boolean): number => {
        delete require.cache[file];
        const mod = requireWithCodeCache(file, use) as { work(n: number): number };
        if (run) expect(mod.work(1)).to.be.greaterThan(0);
        saveCodeCaches();
        return fs.statSync(cacheFileFor(file, dir, use)).size;
      };
      const topLevel = loaded("load only", false);
      const afterWork = loaded("work", true);
      expect(cacheFileFor(file, dir, "work")).to.not.equal(cacheFileFor(file, dir, "load only"));
      expect(afterWork, "holds the compiled function").to.be.greaterThan(topLevel + 1000);
      delete require.cache[file];
    });

    it("a checker thread saves TypeScript's data after its first cell, not at load", async () => {
      const caches = () => fs.readdirSync(dir).filter((f) => f.startsWith("typescript-") && f.endsWith(".v8cache"));
      expect(caches()).to.deep.equal([]);
      const checker = await CellChecker.start(process.cwd(), "standard-library");
      try {
        expect(caches(), "not at load").to.deep.equal([]);
        expect(diagnosticsOf(checker, "1 + 1")).to.deep.equal([]);
        for (let i = 0; i < 100 && caches().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
        expect(caches()).to.have.length(1);
      } finally {
        await checker.close();
      }
    });

    it("keeps one file per set of V8 flags: a process with other flags neither rejects nor overwrites another's", () => {
      const file = path.join(dir, "flags.js");
      fs.writeFileSync(file, "exports.ok = true;\n");
      // A child that loads the module through the cache and says which cache file it used.
      const child = path.join(dir, "child.js");
      const codeCache = JSON.stringify(path.join(distDir, "kernel", "engine", "code-cache"));
      fs.writeFileSync(child, [
        `const { cacheFileFor, requireWithCodeCache, saveCodeCaches } = require(${codeCache});`,
        `requireWithCodeCache(${JSON.stringify(file)});`,
        `saveCodeCaches();`,
        `const used = cacheFileFor(${JSON.stringify(file)});`,
        `console.log(JSON.stringify({ used, ino: require("fs").statSync(used).ino, mtimeMs: require("fs").statSync(used).mtimeMs }));`,
      ].join("\n"));
      const load = (flags: string[]) =>
        JSON.parse(execFileSync(process.execPath, [...flags, child], { encoding: "utf8", env: { ...process.env, SEQLAB_CACHE_DIR: dir, NODE_OPTIONS: "" } })) as { used: string; ino: number; mtimeMs: number };
      const plain = load([]);
      const small = load(["--max-semi-space-size=2"]); // the kernelspec's flag
      expect(small.used).to.not.equal(plain.used);
      const old = new Date(Date.now() - 3600_000);
      fs.utimesSync(plain.used, old, old);
      const again = load([]);
      expect(again.used).to.equal(plain.used);
      // Rejected data would have been written again (a new file, renamed into place); used data is marked used.
      expect(again.ino, "the first flags' file was not rewritten").to.equal(plain.ino);
      expect(again.mtimeMs, "marked as used").to.be.greaterThan(old.getTime() + 1000);
      expect(load(["--max-semi-space-size=2"]).ino).to.equal(small.ino);
    });

    it("never gives V8 a damaged cache file (V8 would crash the process): the module loads and the file is written again", () => {
      const file = writeWorkModule(path.join(dir, "damaged.js"));
      const child = path.join(dir, "damaged-child.js");
      const codeCache = JSON.stringify(path.join(distDir, "kernel", "engine", "code-cache"));
      fs.writeFileSync(child, [
        `const { requireWithCodeCache, saveCodeCaches } = require(${codeCache});`,
        `console.log(requireWithCodeCache(${JSON.stringify(file)}).work(1) > 0);`,
        `saveCodeCaches();`,
      ].join("\n"));
      const load = () => execFileSync(process.execPath, [child], { encoding: "utf8", env: { ...process.env, SEQLAB_CACHE_DIR: dir, NODE_OPTIONS: "" } }).trim();
      expect(load()).to.equal("true");
      const cacheFile = path.join(dir, fs.readdirSync(dir).find((f) => f.startsWith("damaged-") && f.endsWith(".v8cache"))!);
      const sealed = fs.readFileSync(cacheFile);
      expect(unsealCodeCache(sealed), "written with its digest").to.not.equal(undefined);
      // The same length, bytes flipped throughout the data (the digest no longer matches).
      const damaged = Buffer.from(sealed);
      for (let i = 64; i < damaged.length; i += 31) damaged[i] ^= 0xff;
      fs.writeFileSync(cacheFile, damaged);
      expect(load()).to.equal("true");
      expect(unsealCodeCache(fs.readFileSync(cacheFile)), "written again, whole").to.not.equal(undefined);
    });

    it("caches the packages the kernel names, each file's data made once it has run, which a later process uses although V8's flags changed after; import() and ES module syntax still work", () => {
      const modulesDir = path.join(dir, "modules");
      const packageDir = path.join(dir, "project", "node_modules", "@tensorflow", "fake");
      fs.mkdirSync(packageDir, { recursive: true });
      fs.writeFileSync(path.join(packageDir, "index.js"), 'const helper = require("./helper");\nexports.describe = () => ({ helper: helper.name, dir: __dirname, resolved: require.resolve("./helper"), sum: helper.work(1) > 0, esm: require("./esm").answer });\nexports.fail = helper.fail;\nexports.dynamic = require("./dynamic").dynamic;\n');
      fs.writeFileSync(path.join(packageDir, "dynamic.js"), 'exports.dynamic = () => import("path").then((m) => typeof m.join);\n');
      // ES module syntax in a .js file, which Node's require loads (vm cannot compile it).
      fs.writeFileSync(path.join(packageDir, "esm.js"), "export const answer = 42;\n");
      writeWorkModule(path.join(packageDir, "helper.js"));
      // A method named import (as tfjs-converter has) is no import(): the file is cached.
      fs.appendFileSync(path.join(packageDir, "helper.js"), 'exports.name = "helper";\nexports.fail = () => { throw new Error("from the package"); };\nexports.table = { async import(keys) { return keys; } };\n');
      const other = path.join(dir, "project", "other.js");
      fs.writeFileSync(other, "exports.other = true;\n");
      const child = path.join(dir, "package-child.js");
      const codeCache = JSON.stringify(path.join(distDir, "kernel", "engine", "code-cache"));
      fs.writeFileSync(child, [
        `const { cachePackageCode } = require(${codeCache});`,
        `cachePackageCode((file) => file.includes("/@tensorflow/"), ${JSON.stringify(modulesDir)});`,
        `const fake = require(${JSON.stringify(packageDir)});`,
        `require(${JSON.stringify(other)});`,
        `let stack = ""; try { fake.fail(); } catch (err) { stack = err.stack; }`,
        `fake.dynamic().then((dynamic) => console.log(JSON.stringify({ ...fake.describe(), failedIn: stack.split("\\n")[1], dynamic })));`,
        // What the SIMD kernels do once loaded; V8 rejects data made under other flags than its own.
        `require("v8").setFlagsFromString("--no-wasm-dynamic-tiering");`,
        `setTimeout(() => undefined, 100); // the data is written once this turn has ended`,
      ].join("\n"));
      const load = () => JSON.parse(execFileSync(process.execPath, [child], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "", NODE_NO_WARNINGS: "1" } })) as Record<string, unknown>;
      const expected = { helper: "helper", dir: packageDir, resolved: path.join(packageDir, "helper.js"), sum: true, dynamic: "function", esm: 42 };
      const first = load();
      expect(first).to.deep.include(expected);
      expect(first.failedIn).to.contain(path.join(packageDir, "helper.js"));
      const files = () => fs.readdirSync(modulesDir).filter((f) => f.endsWith(".v8cache")).sort();
      expect(files().map((f) => f.replace(/-[0-9a-f]{16}\.v8cache$/, ""))).to.deep.equal(["helper", "index"]); // not other.js, nor dynamic.js (import() compiles as usual), nor esm.js
      const inodes = files().map((f) => fs.statSync(path.join(modulesDir, f)).ino);
      for (const f of files()) expect(unsealCodeCache(fs.readFileSync(path.join(modulesDir, f))), f).to.not.equal(undefined);
      expect(load()).to.deep.include(expected);
      // Rejected data would have been written again (a new file, renamed into place).
      expect(files().map((f) => fs.statSync(path.join(modulesDir, f)).ino)).to.deep.equal(inodes);
    });

    it("keeps the most recently used cache files only", () => {
      const pruned = fs.mkdtempSync(path.join(dir, "prune-"));
      const names = Array.from({ length: 10 }, (_, i) => `typescript-${i}.v8cache`);
      names.forEach((name, i) => {
        const file = path.join(pruned, name);
        fs.writeFileSync(file, "x");
        const used = new Date(Date.now() - (10 - i) * 60_000); // typescript-9 used last
        fs.utimesSync(file, used, used);
      });
      fs.writeFileSync(path.join(pruned, "notes.txt"), "not a cache file");
      // Temporary files: one a killed process left an hour ago, one being written now.
      const left = path.join(pruned, "typescript-0.v8cache.123.0.tmp");
      fs.writeFileSync(left, "x");
      fs.utimesSync(left, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
      fs.writeFileSync(path.join(pruned, "typescript-1.v8cache.456.0.tmp"), "x");
      pruneCodeCaches(pruned, 8);
      expect(fs.readdirSync(pruned).sort()).to.deep.equal(["notes.txt", "typescript-1.v8cache.456.0.tmp", ...names.slice(2)].sort());
    });

    it("a broken module fails as require would, and is not left in require's cache", () => {
      const file = path.join(dir, "broken.js");
      fs.writeFileSync(file, "throw new Error('broken module');\n");
      expect(() => requireWithCodeCache(file)).to.throw("broken module");
      expect(require.cache[file]).to.equal(undefined);
    });
  });

  describe("a fresh engine", () => {
    disposeEngineAfterSuite();

    it("runs what the standard library types, and reports type errors as the full checker does", async () => {
      expect(resultText(await run("let half = 21;\nhalf * 2"))).to.equal("42");
      // The quick checker would also say "Cannot find name 'process'": the full one decides.
      const failed = errorOf(await run("const s: string = 3;\nprocess.pid"));
      expect(failed.ename).to.equal("CompileError");
      expect(failed.evalue).to.match(/Type 'number' is not assignable to type 'string'/);
      expect(failed.traceback.join("\n")).to.not.match(/Cannot find name/);
      // Declarations checked by the quick checker carry over to the full one.
      expect(resultText(await run("half + (process.pid > 0 ? 1 : 0)"))).to.equal("22");
    });

    it("completes and inspects with the full checker", async () => {
      const completion = await engine().complete("process.ver", 11);
      expect(completion.matches).to.include("version");
      const info = await engine().inspect("half", 2, 0);
      expect(info.found).to.equal(true);
      expect(String(info.data["text/plain"])).to.include("let half: number");
    });
  });

  describe("a first cell that may import", function () {
    // The hint is for TypeScript 5's two checkers; with TypeScript 7 (native-checking.ts) both halves start with the kernel.
    /** A fresh engine whose requests for the full checker are recorded with whether a checker had loaded by then. */
    const recorded = () => {
      // Cells wait for a checker here (by default they run before one has loaded: unchecked-cells.test.ts).
      const fresh = new TypeScriptEngine({ handleSigint: false, typeScript: 5, fullCheckerIdleMs: -1, runBeforeChecker: false });
      const checkers = (fresh as unknown as { checkers: TypeCheckers }).checkers;
      const requests: Array<{ anyLoaded: boolean }> = [];
      const complete = checkers.complete.bind(checkers);
      checkers.complete = (...args: Parameters<TypeCheckers["complete"]>) => {
        requests.push({ anyLoaded: checkers.live !== undefined });
        return complete(...args);
      };
      let count = 0;
      const exec = async (code: string) => {
        const host = new RecordingHost();
        const executionCount = ++count;
        return { outcome: await fresh.execute(code, host, { silent: false, storeHistory: true, executionCount }), host, count: executionCount };
      };
      return { fresh, requests, exec };
    };
    before(disposeSharedEngine);

    it("starts the full checker while the quick one still loads, and runs as before", async () => {
      const { fresh, requests, exec } = recorded();
      try {
        const outcome = await exec('import * as path from "path";\npath.basename("/a/b.txt")');
        expect(resultText(outcome)).to.equal("'b.txt'");
        expect(requests[0], "the full checker was asked for before any checker had loaded").to.deep.equal({ anyLoaded: false });
      } finally {
        fresh.dispose();
      }
    });

    it("a wrong guess (the word in a string) runs as before; a cell without it waits for the quick checker alone", async () => {
      const { fresh, requests, exec } = recorded();
      try {
        expect(resultText(await exec("1 + 1"))).to.equal("2");
        expect(requests, "no full checker for 1 + 1").to.deep.equal([]);
        expect(resultText(await exec('"import" + 1'))).to.equal("'import1'");
      } finally {
        fresh.dispose();
      }
    });
  });

  describe("an engine whose checkers were released while idle", () => {
    let idle: TypeScriptEngine;
    let count = 0;
    const exec = (code: string) => idle.execute(code, new RecordingHost(), { silent: false, storeHistory: true, executionCount: ++count });
    const live = () => (idle as unknown as { checkers: TypeCheckers }).checkers.live;
    before(async () => {
      await disposeSharedEngine();
      idle = new TypeScriptEngine({ handleSigint: false, typeScript: 5, fullCheckerIdleMs: -1, releaseCheckersAfterMs: 300, runBeforeChecker: false });
    });
    after(() => idle.dispose());

    it("frees them, keeps the notebook's declarations and values, and checks as before", async () => {
      const first = await exec('import * as path from "path";\nlet kept: number = 20;\nconst base = path.basename("/a/b.txt");\nkept');
      expect(first.status, JSON.stringify(first)).to.equal("ok");
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(live(), "released after 300 ms unused").to.equal(undefined);
      const next = await exec("kept += 1;\n`${base} ${kept * 2}`");
      expect(next.status === "ok" && next.result?.data["text/plain"]).to.equal("'b.txt 42'");
      const failed = await exec("const wrong: string = kept;");
      expect(failed.status === "error" && failed.evalue).to.match(/Type 'number' is not assignable to type 'string'/);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(live()).to.equal(undefined);
      const completion = await idle.complete("base.toUpp", 10);
      expect(completion.matches).to.include("toUpperCase");
    });
  });
});
