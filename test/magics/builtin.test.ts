import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { disposeEngineAfterSuite, RecordingHost, errorOf, resultText, run } from "../engine/harness";

describe("magics: built-ins through the engine", function () {
  disposeEngineAfterSuite();
  this.timeout(60000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-magics-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("%lsmagic lists line and cell magics", async () => {
    const r = await run("%lsmagic");
    expect(r.host.out).to.match(/Available line magics:\n.*%time {2}%timeit/);
    expect(r.host.out).to.match(/Available cell magics:\n.*%%html.*%%writefile/);
  });

  it("%name? and %name?? page help; %lsmagic? too", async () => {
    const r = await run("%timeit?");
    expect(r.host.payloads).to.have.length(1);
    const page = r.host.payloads[0] as { source: string; start: number; data: Record<string, string> };
    expect(page.source).to.equal("page");
    expect(page.start).to.equal(0);
    expect(page.data["text/plain"]).to.include("%timeit [-n N]").and.include("--number");
    const source = await run("%time??");
    expect((source.host.payloads[0] as { data: Record<string, string> }).data["text/plain"]).to.include("Source:");
    expect((await run("%lsmagic?")).host.payloads).to.have.length(1);
  });

  it("an unknown magic is a UsageError and loses no state", async () => {
    await run("let keep1 = 5;");
    const err = errorOf(await run("%nosuchmagic 1"));
    expect(err.ename).to.equal("UsageError");
    expect(err.evalue).to.include("%nosuchmagic").and.include("%lsmagic");
    expect(resultText(await run("keep1"))).to.equal("5");
  });

  it("a % line inside a template literal (an ABC comment) is part of the string, not a magic", async () => {
    const r = await run("const tune = `X:1\n%abc comment line\nK:D`;\ntune.split(\"\\n\").length");
    expect(resultText(r)).to.equal("3"); // throws with the error if the cell failed
  });

  it("%time reports CPU and wall time like IPython and returns the value", async () => {
    const r = await run("%time [1, 2, 3].map((v) => v * 2).length");
    expect(r.host.out).to.match(/^CPU times: user [\d.]+ (s|ms|µs|ns), sys: [\d.]+ (s|ms|µs|ns), total: [\d.]+ (s|ms|µs|ns)\nWall time: [\d.]+ (s|ms|µs|ns)\n/);
    expect(resultText(r)).to.equal("3");
  });

  it("%%time times the cell and keeps its declarations", async () => {
    const r = await run("%%time\nconst timedValue = 6 * 7;");
    expect(r.host.out).to.include("Wall time:");
    expect(resultText(await run("timedValue"))).to.equal("42");
  });

  it("%%time keeps the cell's line numbers in errors", async () => {
    const err = errorOf(await run("%%time\nlet fineLine = 1;\nthrow new Error('on line 3');"));
    expect(err.traceback.join("\n")).to.match(/Cell In\[\d+\]:3:/);
  });

  it("%who and %whos list variables; tensors show shape and dtype", async () => {
    await run("%reset -f");
    expect((await run("%who")).host.out).to.equal("Interactive namespace is empty.\n");
    await run("import * as tf from '@tensorflow/tfjs';\nconst weights = tf.zeros([2, 3]);\nconst label = 'lstm';");
    expect((await run("%who")).host.out).to.equal("label\ttf\tweights\n");
    expect((await run("%who Tensor")).host.out).to.equal("weights\n");
    const whos = (await run("%whos")).host.out.split("\n");
    expect(whos[0]).to.match(/^Variable\s+Type\s+Data\/Info$/);
    expect(whos.find((l) => l.startsWith("weights"))).to.match(/^weights\s+Tensor\s+shape \[2, 3\], float32$/);
    expect(whos.find((l) => l.startsWith("label"))).to.match(/^label\s+string\s+'lstm'$/);
  });

  it("%reset -f forgets variables; %reset asks, and refuses politely without stdin", async () => {
    await run("let gone = 1;");
    await run("%reset -f");
    expect(errorOf(await run("gone")).ename).to.equal("CompileError");
    await run("let asked = 1;");
    const host = new RecordingHost(["n"]);
    expect((await run("%reset", host)).host.out).to.equal("Nothing done.\n");
    expect(resultText(await run("asked"))).to.equal("1");
    const err = errorOf(await run("%reset", new RecordingHost("no-stdin")));
    expect(err.evalue).to.include("use %reset -f");
    expect(errorOf(await run("%reset -x")).ename).to.equal("UsageError");
  });

  it("%env sets, gets and lists; $name expands", async () => {
    await run("const envValue = 'from-notebook';");
    expect((await run("%env SEQLAB_TEST_ENV=$envValue")).host.out).to.equal("env: SEQLAB_TEST_ENV=from-notebook\n");
    expect(process.env.SEQLAB_TEST_ENV).to.equal("from-notebook");
    expect(resultText(await run("%env SEQLAB_TEST_ENV"))).to.equal("'from-notebook'");
    expect((await run("%env")).host.out).to.include("SEQLAB_TEST_ENV=from-notebook");
    expect(errorOf(await run("%env SEQLAB_UNSET_VARIABLE_X")).evalue).to.include("is not set");
    await run("const sizes: number[] = [4, 5];");
    expect((await run("%env SEQLAB_TEST_EXPR={sizes.length * (sizes[1] as number)}")).host.out).to.equal("env: SEQLAB_TEST_EXPR=10\n");
    expect(errorOf(await run("%env SEQLAB_TEST_EXPR={undefinedThing.x}")).evalue).to.include("could not evaluate {undefinedThing.x}");
    delete process.env.SEQLAB_TEST_EXPR;
    delete process.env.SEQLAB_TEST_ENV;
  });

  it("%%html displays HTML; %%writefile writes and appends", async () => {
    const html = await run("%%html\n<b>bold</b>");
    expect(html.host.displays[0].data["text/html"]).to.equal("<b>bold</b>");
    const file = path.join(dir, "out file.txt");
    const w = await run(`%%writefile '${file}'\nline one`);
    expect(w.host.out).to.equal(`Writing ${file}\n`);
    await run(`%%writefile -a '${file}'\nline two`);
    expect(fs.readFileSync(file, "utf8")).to.equal("line one\nline two\n");
    expect(errorOf(await run("%%writefile\nx")).evalue).to.include("missing FILE");
  });

  it("%backend shows the backend and why; a bad name is a UsageError listing the available ones", async () => {
    const r = await run("%backend");
    expect(r.host.out).to.match(/^TensorFlow\.js backend: \w+\nWhy: .+\nAvailable: .+\nseqlab kernels: .+\n(Fallback: .+\n)*$/);
    const err = errorOf(await run("%backend quantum"));
    expect(err.ename).to.equal("UsageError");
    expect(err.evalue).to.include("quantum").and.include("available");
  });

  it("%memory counts tensors and bytes", async () => {
    await run("import * as tf2 from '@tensorflow/tfjs';\nconst kept16 = tf2.ones([4]);");
    const r = await run("%memory");
    const m = /Tensors: (\d+)\nBytes: (\d+)/.exec(r.host.out);
    expect(m).to.not.equal(null);
    expect(Number(m?.[1])).to.be.greaterThan(0);
    expect(Number(m?.[2])).to.be.at.least(16);
  });

  it("registerMagic from a cell: $var values reach it, and ctx.expect explains a wrong type", async () => {
    await run(
      [
        "registerMagic({",
        "  name: 'double', kind: 'line', usage: '%double $value', help: 'Doubles a number.',",
        "  run(ctx, args) {",
        "    const v = ctx.expect(args.refs[0] ?? args.positionals[0], 'a number', (x: unknown): x is number => typeof x === 'number');",
        "    ctx.print(`doubling ${v}`);",
        "    return v * 2;",
        "  },",
        "});",
      ].join("\n"),
    );
    await run("const seven = 7;\nconst word = 'seven';");
    const ok = await run("%double $seven");
    expect(ok.host.out).to.equal("doubling 7\n");
    expect(resultText(ok)).to.equal("14");
    const err = errorOf(await run("%double $word"));
    expect(err.ename).to.equal("UsageError");
    expect(err.evalue).to.include("%double: `$word` is a string, expected a number").and.include("Usage: %double $value");
  });

  it("line magics in the middle of a cell run in order with the TypeScript", async () => {
    const r = await run("let order = 'a';\n%env SEQLAB_ORDER=$order\norder += process.env.SEQLAB_ORDER;\norder");
    expect(resultText(r)).to.equal("'aa'");
    delete process.env.SEQLAB_ORDER;
    const err = errorOf(await run("let fine = 1;\n%who\nthrow new Error('third line');"));
    expect(err.traceback.join("\n")).to.match(/Cell In\[\d+\]:3:/);
  });
});
