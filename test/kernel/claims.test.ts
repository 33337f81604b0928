/**
 * A failed claim through the real kernel and engine: headless (the request does not allow
 * stdin, as nbconvert, papermill and `seqlab run` send it) the cell fails with the claim; in
 * an interactive session (JupyterLab, Notebook and VS Code allow stdin) the cell prints a
 * warning, ends ok, and the notebook's state carries on.
 */
import { expect } from "chai";
import type { KernelProcess } from "../../kernel/jupyter-client";
import type { JupyterMessage } from "../../kernel/wire";
import { engineBuilt, engineDialect, startKernel } from "./helpers";

const streamText = (iopub: JupyterMessage[], name: string): string =>
  iopub.filter((m) => m.header.msg_type === "stream" && m.content.name === name).map((m) => String(m.content.text)).join("");

describe("claims through the kernel: headless throws, interactive warns", function () {
  this.timeout(120000);
  let kernel: KernelProcess;
  const failing = 'import * as sl from "seqlab";\nconst held = sl.claim("gate cells reach 0.9", 0.5, false);\nvar after = "ran on";';

  before(async function () {
    if (!engineBuilt()) this.skip();
    // The kernel decides from the request alone: no CI or override inherited from this shell.
    const env = { ...process.env };
    delete env.CI;
    delete env.SEQLAB_CLAIMS;
    kernel = await startKernel(engineDialect, { env });
  });
  after(async () => {
    await kernel?.shutdown();
  });

  it("headless (allow_stdin false): the cell fails with ClaimFailedError and the lines after it do not run", async () => {
    const { reply, iopub } = await kernel.client.execute(failing.replace("var after", "var afterHeadless"), { allow_stdin: false, timeoutMs: 90000 });
    expect(reply.content).to.deep.include({ status: "error", ename: "ClaimFailedError", evalue: "claim failed: gate cells reach 0.9 (got 0.5)" });
    expect(streamText(iopub, "stdout")).to.contain("✘ gate cells reach 0.9: 0.5");
    const check = await kernel.client.execute("typeof afterHeadless", { allow_stdin: false });
    expect((check.iopub.find((m) => m.header.msg_type === "execute_result")?.content.data as Record<string, string>)["text/plain"]).to.contain("undefined");
  });

  it("interactive (allow_stdin true): the cell warns, ends ok, and its state is kept", async () => {
    const { reply, iopub } = await kernel.client.execute(failing, { allow_stdin: true, timeoutMs: 90000 });
    expect(reply.content.status, JSON.stringify(reply.content)).to.equal("ok");
    expect(streamText(iopub, "stdout")).to.contain("✘ gate cells reach 0.9: 0.5");
    expect(streamText(iopub, "stderr")).to.contain("⚠ claim failed: gate cells reach 0.9 (got 0.5)").and.contain("interactive session");
    const check = await kernel.client.execute("[after, held]", { allow_stdin: true });
    expect((check.iopub.find((m) => m.header.msg_type === "execute_result")?.content.data as Record<string, string>)["text/plain"]).to.contain("ran on").and.contain("false");
  });
});
