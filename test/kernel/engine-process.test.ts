/**
 * What only a real kernel process shows: cell code that would end the process (process.exit,
 * a library's rethrowing unhandledRejection listener) leaves the kernel running with its state.
 */
import { expect } from "chai";
import { KernelProcess, type JupyterClient } from "../../kernel/jupyter-client";
import type { JupyterMessage } from "../../kernel/wire";
import { engineDialect, startKernel } from "./helpers";

const stderrOf = (iopub: JupyterMessage[]): string =>
  iopub
    .filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr")
    .map((m) => String(m.content.text))
    .join("");

const resultOf = (iopub: JupyterMessage[]): string | undefined => {
  const result = iopub.find((m) => m.header.msg_type === "execute_result");
  return result ? (result.content.data as Record<string, string>)["text/plain"] : undefined;
};

describe("kernel process: cell code that would end the process", function () {
  this.timeout(120000);
  let kernel: KernelProcess;
  let client: JupyterClient;

  before(async () => {
    kernel = await startKernel(engineDialect);
    client = kernel.client;
    const { reply } = await client.execute("let state = 'kept';");
    expect(reply.content.status).to.equal("ok");
  });

  after(async () => {
    await kernel?.shutdown();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`kernel output:\n${kernel.log}`);
  });

  it("process.exit(1) in a cell fails the cell with SystemExit and the kernel keeps its variables", async () => {
    const { reply } = await client.execute("console.log('before');\nprocess.exit(1);\nconsole.log('after');");
    expect(reply.content.status).to.equal("error");
    expect(reply.content.ename).to.equal("SystemExit");
    expect(String(reply.content.evalue)).to.include("does not end the kernel");
    expect((reply.content.traceback as string[]).join("\n")).to.include("----> 2 process.exit(1);");
    const { iopub } = await client.execute("state");
    expect(resultOf(iopub)).to.equal("'kept'");
    expect(kernel.running).to.equal(true);
  });

  it("with the wasm backend, an unawaited failing promise is reported and the kernel lives", async () => {
    const init = await client.execute('import * as sl from "seqlab";\n(await sl.initBackend("wasm")).name', { timeoutMs: 60000 });
    expect(resultOf(init.iopub)).to.equal("'wasm'");
    const failing = await client.execute("const n = 2;\n(async () => {\n  throw new Error('x');\n})();\nn");
    expect(failing.reply.content.status).to.equal("ok");
    expect(resultOf(failing.iopub)).to.equal("2");
    expect(stderrOf(failing.iopub)).to.match(/^Unhandled promise rejection: Error: x\nCell In\[\d+\], line 3:\n----> 3 {3}throw new Error\('x'\);/);
    // The file read fails while the cell ends or after: that cell or the next one says so, once.
    const load = await client.execute("sl.loadCheckpoint('/nonexistent/checkpoint');\n'not awaited'");
    const next = await client.execute("state");
    expect(resultOf(next.iopub)).to.equal("'kept'");
    const said = stderrOf(load.iopub) + stderrOf(next.iopub);
    expect(said).to.match(/^Unhandled promise rejection: Error: Cannot read checkpoint \/nonexistent\/checkpoint: ENOENT/);
    expect(said.match(/Unhandled/g)).to.have.length(1);
    expect(kernel.running).to.equal(true);
  });
});
