/**
 * The engine with TypeScript 7 checking its cells (typeScript: 7, the default unless
 * SEQLAB_TYPESCRIPT=5; native-checking.ts): cells run as with TypeScript 5, type errors read as before,
 * magics keep or drop declarations as before, %reset forgets, completion and inspection
 * answer, and a released kernel starts its compiler again with every cell kept.
 */
import { expect } from "chai";
import fs from "fs";
import { spawnSync } from "child_process";
import type { ExecuteOutcome } from "../../kernel/contract";
import { TypeScriptEngine } from "../../kernel/engine";
import { chosenTypeScript, typeScript7Installed, typeScriptFromEnvironment } from "../../kernel/engine/typescript-choice";
import { RecordingHost, disposeSharedEngine } from "./harness";

describe("engine with TypeScript 7", function () {
  this.timeout(120_000);
  let engine: TypeScriptEngine;
  let count = 0;
  const exec = (code: string, host = new RecordingHost()): Promise<ExecuteOutcome> =>
    engine.execute(code, host, { silent: false, storeHistory: true, executionCount: ++count });
  const result = async (code: string): Promise<string> => {
    const outcome = await exec(code);
    if (outcome.status !== "ok") throw new Error(`${code}: ${outcome.ename}: ${outcome.evalue}`);
    return String(outcome.result?.data["text/plain"]);
  };
  const compilerRunning = () =>
    fs.readdirSync("/proc").some((pid) => {
      try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        const state = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[0];
        return argv.includes("--api") && argv.includes(process.cwd()) && state !== "Z"; // an ended one may wait to be reaped
      } catch {
        return false;
      }
    });

  before(async () => {
    await disposeSharedEngine();
    engine = new TypeScriptEngine({ handleSigint: false, typeScript: 7, releaseCheckersAfterMs: 1500 });
  });
  after(() => engine.dispose());

  it("is the default; SEQLAB_TYPESCRIPT=5 asks for TypeScript 5, and another value says what it takes", () => {
    const saved = process.env.SEQLAB_TYPESCRIPT;
    const write = process.stderr.write;
    const said: string[] = [];
    try {
      delete process.env.SEQLAB_TYPESCRIPT;
      expect(typeScriptFromEnvironment()).to.equal(7);
      expect(chosenTypeScript()).to.equal(typeScript7Installed() ? 7 : 5);
      process.env.SEQLAB_TYPESCRIPT = "5";
      expect(typeScriptFromEnvironment()).to.equal(5);
      expect(chosenTypeScript()).to.equal(5);
      process.env.SEQLAB_TYPESCRIPT = "six";
      process.stderr.write = ((chunk: string) => said.push(String(chunk)) > 0) as typeof process.stderr.write;
      expect(typeScriptFromEnvironment()).to.equal(7);
    } finally {
      process.stderr.write = write;
      if (saved === undefined) delete process.env.SEQLAB_TYPESCRIPT;
      else process.env.SEQLAB_TYPESCRIPT = saved;
    }
    expect(said.join("")).to.include('SEQLAB_TYPESCRIPT must be 7 (the native compiler, the default) or 5, got "six"');
  });

  it("where TypeScript 7's compiler is missing for the platform, checks with TypeScript 5 and says so once", () => {
    // A process in which the platform's compiler package cannot be resolved, as on a platform it lacks.
    const choice = require.resolve("../../kernel/engine/typescript-choice");
    const script = `
      const Module = require("module");
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (request.startsWith("@typescript/typescript-")) throw Object.assign(new Error("Cannot find module " + request), { code: "MODULE_NOT_FOUND" });
        return resolve.call(this, request, ...rest);
      };
      const { chosenTypeScript } = require(${JSON.stringify(choice)});
      console.log(chosenTypeScript(), chosenTypeScript());`;
    const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, SEQLAB_TYPESCRIPT: "" } });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout.trim()).to.equal("5 5");
    const told = run.stderr.split("\n").filter((line) => line.includes("TypeScript 7 is not installed"));
    expect(told).to.deep.equal([
      `[seqlab kernel] TypeScript 7 is not installed for ${process.platform}-${process.arch} (the optional dependency typescript-7 and its @typescript/typescript-${process.platform}-${process.arch}): cells are checked with TypeScript 5, which holds about 55 MB more per idle kernel`,
    ]);
  });

  it("runs cells that import seqlab and TensorFlow.js and use each other's names", async () => {
    expect(await result('import * as sl from "seqlab";\nimport * as tf from "@tensorflow/tfjs";\nconst doubled = tf.tensor([1, 2]).mul(2);\nArray.from(doubled.dataSync())')).to.equal("[ 2, 4 ]");
    expect(await result("let total = doubled.sum().dataSync()[0];\ntotal")).to.equal("6");
    expect(await result("total += 1;\nconst later = await Promise.resolve(total * 2);\nlater")).to.equal("14");
    expect(await result("typeof sl.backendInfo().name")).to.equal("'string'");
  });

  it("reports type errors as TypeScript 5 did, and a failing cell leaves nothing", async () => {
    const failed = await exec("const wrong: string = total;\nconst alsoWrong = 1;");
    expect(failed.status).to.equal("error");
    if (failed.status !== "error") return;
    expect(failed.ename).to.equal("CompileError");
    expect(failed.evalue).to.match(/^1:7 - Type 'number' is not assignable to type 'string'\.$/);
    const missing = await exec("alsoWrong");
    expect(missing.status === "error" && missing.evalue).to.match(/Cannot find name 'alsoWrong'/);
  });

  it("keeps what %time runs, not what %timeit runs, and forgets everything on %reset", async () => {
    expect((await exec("%time const timed = 5")).status).to.equal("ok");
    expect(await result("timed + 1")).to.equal("6");
    expect((await exec("%timeit -n 2 -r 1 const onlyTimed = 1")).status).to.equal("ok");
    const dropped = await exec("onlyTimed");
    expect(dropped.status === "error" && dropped.evalue).to.match(/Cannot find name 'onlyTimed'/);
    expect((await exec("%reset -f")).status).to.equal("ok");
    const forgotten = await exec("timed");
    expect(forgotten.status === "error" && forgotten.evalue).to.match(/Cannot find name 'timed'/);
  });

  it("completes and inspects with TypeScript 7", async () => {
    await result('import * as tf from "@tensorflow/tfjs";\n/** A small tensor. */\nconst small = tf.tensor([3]);\n1');
    expect((await engine.complete("small.resh", 10)).matches).to.include("reshape");
    const info = await engine.inspect("small", 2, 0);
    expect(String(info.data["text/plain"])).to.match(/^const small: tf\.Tensor<tf\.Rank>/);
    expect(String(info.data["text/plain"])).to.include("A small tensor.");
    expect(await engine.isComplete("function f() {")).to.deep.equal({ status: "incomplete", indent: "  " });
  });

  it("releases its compiler when idle and starts it again with every cell kept", async function () {
    if (process.platform !== "linux") this.skip(); // reads /proc
    await result("const keptThroughRelease = 41;\nkeptThroughRelease");
    expect(compilerRunning()).to.equal(true);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(compilerRunning(), "released after 1.5 s unused").to.equal(false);
    expect(await result("keptThroughRelease + small.size")).to.equal("42");
    const failed = await exec("const notAString: string = keptThroughRelease;");
    expect(failed.status === "error" && failed.evalue).to.match(/Type 'number' is not assignable to type 'string'/);
  });
});
