/**
 * The one Jupyter client (kernel/jupyter-client.ts) beyond what the protocol suite uses:
 * per-message iopub streaming, interrupt in both modes, timeouts that mean "none", and a
 * kernel that dies while a request waits.
 */
import { expect } from "chai";
import { KernelDiedError, KernelProcess, TimeoutError } from "../../kernel/jupyter-client";
import type { JupyterMessage } from "../../kernel/wire";
import { cliPath, jsDialect, repoRoot } from "./helpers";

const argv = [process.execPath, cliPath, "kernel", "--connection-file", "{connection_file}", ...jsDialect.kernelArgs];

/**
 * A cell that prints, then awaits until interrupted. It prints after its synchronous part
 * has returned, so an interrupt sent on seeing the print cannot land in the engine's
 * breakOnSigint window (where the JS engine loses a SIGINT).
 */
const printThenWait = '(async () => { await new Promise((r) => setTimeout(r, 0)); console.log("first"); for (;;) await new Promise((r) => setTimeout(r, 10)); })()';

/** Records the types of the messages the client sends on control from now on. */
function controlTypes(kernel: KernelProcess): string[] {
  const types: string[] = [];
  const send = kernel.client.sendMessage.bind(kernel.client);
  kernel.client.sendMessage = (channel, msg, signer) => {
    if (channel === "control") types.push(msg.header.msg_type);
    send(channel, msg, signer);
  };
  return types;
}

describe("jupyter client", function () {
  this.timeout(60000);
  const started: KernelProcess[] = [];
  async function launch(options: { interruptMode?: "signal" | "message"; keepIopub?: boolean } = {}): Promise<KernelProcess> {
    const { kernel } = await KernelProcess.launch({ argv, cwd: repoRoot, ...options });
    started.push(kernel);
    return kernel;
  }
  afterEach(async () => {
    for (const kernel of started.splice(0)) await kernel.shutdown(2000);
  });

  it("streams each iopub message as it arrives, before the cell ends, and interrupts by message", async () => {
    const kernel = await launch({ keepIopub: false });
    const seen: JupyterMessage[] = [];
    let sawFirst!: () => void;
    const firstArrived = new Promise<void>((resolve) => (sawFirst = resolve));
    const run = kernel.client.executeStreaming(printThenWait, (m) => {
      seen.push(m);
      if (m.header.msg_type === "stream") sawFirst();
    });
    await firstArrived; // the cell is still running: only an interrupt ends it
    expect(seen.map((m) => m.header.msg_type)).to.deep.equal(["status", "execute_input", "stream"]);
    const sent = controlTypes(kernel);
    await kernel.interrupt();
    expect(sent).to.deep.equal(["interrupt_request"]);
    const { reply, timing, sawIdle } = await run;
    expect(reply.content.status).to.equal("error");
    expect(sawIdle).to.equal(true);
    expect(seen[seen.length - 1].content.execution_state).to.equal("idle");
    expect(Object.keys(timing).sort()).to.deep.equal(["iopub.execute_input", "iopub.status.busy", "iopub.status.idle", "shell.execute_reply"]);
    // keepIopub off: nothing piles up on the client
    expect(kernel.client.iopub).to.deep.equal([]);
    const after = await kernel.client.execute("1 + 1");
    expect(after.reply.content.status).to.equal("ok");
  });

  it("interrupts by SIGINT when the kernelspec's interrupt_mode is signal", async () => {
    const kernel = await launch({ interruptMode: "signal" });
    const request = kernel.client.message("execute_request", { code: printThenWait, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    const reply = kernel.client.replyTo(request, 20000);
    kernel.client.sendMessage("shell", request);
    await kernel.client.waitForIopub((m) => m.parent_header.msg_id === request.header.msg_id && m.header.msg_type === "stream");
    const sent = controlTypes(kernel);
    await kernel.interrupt();
    expect((await reply).content.status).to.equal("error");
    expect(sent).to.deep.equal([]); // a signal, not a message
    expect(kernel.running).to.equal(true);
  });

  it("treats an undefined or Infinity timeout as no limit, and a finite one as a limit", async () => {
    const kernel = await launch();
    const slow = "new Promise((resolve) => setTimeout(() => resolve(7), 300))";
    for (const timeoutMs of [Infinity, undefined]) {
      const { reply, iopub } = await kernel.client.execute(slow, { timeoutMs });
      expect(reply.content.status).to.equal("ok");
      expect(iopub.filter((m) => m.header.msg_type === "execute_result")).to.have.length(1);
    }
    const late = await kernel.client.executeStreaming(jsDialect.awaitForever, () => {}, { timeoutMs: 200 }).catch((e: Error) => e);
    expect(late).to.be.instanceOf(TimeoutError);
    await kernel.interrupt();
  });

  it("lets a streamed cell run past the 30 s request default when no limit is given (long training cells)", async function () {
    this.timeout(90000);
    const kernel = await launch();
    const long = "new Promise((resolve) => setTimeout(() => resolve(8), 31000))";
    const run = await kernel.client.executeStreaming(long, () => {}, {});
    expect(run.reply.content.status).to.equal("ok");
  });

  it("rejects a waiting request when the kernel dies, quoting the kernel's last output", async () => {
    const kernel = await launch();
    const died = await kernel.client
      .executeStreaming('const p = require("process"); p.stderr.write("dying words\\n"); setTimeout(() => p.kill(p.pid, "SIGKILL"), 50); new Promise(() => {})', () => {})
      .catch((e: Error) => e);
    expect(died).to.be.instanceOf(KernelDiedError);
    expect((died as Error).message).to.match(/the kernel process exited \(signal SIGKILL\)/).and.contain("dying words");
    // later requests fail at once with the same reason, and shutdown still completes
    const later = await kernel.client.request("shell", "kernel_info_request", {}).catch((e: Error) => e);
    expect((later as Error).message).to.contain("signal SIGKILL");
    await kernel.shutdown();
  });

  it("says why a kernel that exits at start-up did not become ready", async () => {
    const failing = await KernelProcess.launch({ argv: [process.execPath, "-e", 'console.error("no kernel here"); process.exit(4)'] }).catch((e: Error) => e);
    expect(failing).to.be.instanceOf(KernelDiedError);
    expect((failing as Error).message).to.contain("code 4").and.contain("no kernel here");
  });
});
