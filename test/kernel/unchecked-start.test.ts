/**
 * The first cells through a real kernel process (engine/unchecked-cells.ts): a cell a person
 * runs (allow_stdin true, as JupyterLab sends it) before the type checker has loaded runs at
 * once, and a later cell reports its type error; a headless request (allow_stdin false, as
 * nbconvert sends it) is always checked before it runs, and so is every cell of a kernel
 * started with SEQLAB_RUN_BEFORE_CHECKER=0.
 */
import { expect } from "chai";
import type { KernelProcess } from "../../kernel/jupyter-client";
import { engineBuilt, engineDialect, sleep, startKernel } from "./helpers";

describe("kernel: the first cells run before the type checker has loaded", function () {
  this.timeout(120000);
  let kernel: KernelProcess | undefined;

  before(function () {
    if (!engineBuilt()) this.skip();
  });
  afterEach(async () => {
    await kernel?.shutdown();
    kernel = undefined;
  });

  it("reports a person's first type error either way: the cell ran before the checker had loaded and a later cell reports it, or it was checked first", async () => {
    // Which one depends on how soon the cell arrives (test/engine/unchecked-cells.test.ts
    // makes sure of the first); neither loses the error.
    kernel = await startKernel(engineDialect);
    const first = await kernel.client.execute('const wrong: number = "seven";\n"it ran"');
    let reported = first.reply.content;
    if (first.reply.content.status === "ok") {
      expect(first.iopub.find((m) => m.header.msg_type === "execute_result")?.content.data).to.deep.equal({ "text/plain": "'it ran'" });
      // Cells that come before the checker has loaded run unchecked too; the first one after it reports.
      for (let i = 0; i < 40 && reported.status === "ok"; i++) {
        reported = (await kernel.client.execute("1 + 1")).reply.content;
        if (reported.status === "ok") await sleep(250);
      }
      expect(reported.status, "no cell reported the first cell's type error").to.equal("error");
      expect(String(reported.evalue)).to.match(/^Cell In\[1\] ran before the type checker had loaded/);
    } else {
      expect(String(reported.evalue)).to.match(/^1:7 - /);
    }
    expect(reported.ename).to.equal("CompileError");
    expect((reported.traceback as string[]).join("\n")).to.include("Cell In[1], 1:7 - error TS2322");
    expect((await kernel.client.execute("1 + 1")).reply.content.status).to.equal("ok");
  });

  it("with SEQLAB_RUN_BEFORE_CHECKER=0 in its environment, checks a person's first cell before it runs", async () => {
    kernel = await startKernel(engineDialect, { env: { ...process.env, SEQLAB_RUN_BEFORE_CHECKER: "0" } });
    const first = await kernel.client.execute('const wrong: number = "seven";\n"it ran"');
    expect(String(first.reply.content.evalue)).to.match(/^1:7 - Type 'string' is not assignable to type 'number'/);
    expect(first.iopub.some((m) => m.header.msg_type === "execute_result"), "it did not run").to.equal(false);
  });

  it("checks a headless request's first cell before it runs", async () => {
    kernel = await startKernel(engineDialect);
    const first = await kernel.client.execute('const wrong: number = "seven";\n"it ran"', { allow_stdin: false });
    expect(first.reply.content.status).to.equal("error");
    expect(String(first.reply.content.evalue)).to.match(/^1:7 - Type 'string' is not assignable to type 'number'/);
    expect(first.iopub.some((m) => m.header.msg_type === "execute_result"), "it did not run").to.equal(false);
  });
});
