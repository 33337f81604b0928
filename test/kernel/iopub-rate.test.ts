/**
 * Output floods: past the iopub rate limit the kernel drops output visibly (a stderr notice
 * with the count) and never drops status messages or replies.
 */
import { expect } from "chai";
import { KernelProcess } from "../../kernel/jupyter-client";
import { OutputRateLimit } from "../../kernel/output-rate";
import type { JupyterMessage } from "../../kernel/wire";
import { jsDialect, startKernel } from "./helpers";

/** display_data messages shown, and the drops the stderr notices report. */
function tally(iopub: JupyterMessage[]): { shown: number; counted: number; notices: string } {
  const notices = iopub.filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr").map((m) => String(m.content.text));
  const counted = notices.map((t) => /output rate exceeded: (\d+) messages dropped/.exec(t)).reduce((sum, m) => sum + (m ? Number(m[1]) : 0), 0);
  return { shown: iopub.filter((m) => m.header.msg_type === "display_data").length, counted, notices: notices.join("") };
}

describe("iopub output rate limit", function () {
  this.timeout(120000);
  let kernel: KernelProcess;

  before(async function () {
    kernel = await startKernel(jsDialect);
  });

  after(async function () {
    await kernel?.shutdown();
  });

  it("delivers the idle status and the reply after 200,000 displays, and counts what it dropped", async function () {
    const n = 200000;
    const { reply, iopub } = await kernel.client.execute(`for (let i = 0; i < ${n}; i++) display({"text/plain": String(i)}); "done"`, { timeoutMs: 100000 });
    expect(reply.content.status).to.equal("ok");
    const last = iopub[iopub.length - 1];
    expect([last.header.msg_type, last.content.execution_state]).to.deep.equal(["status", "idle"]);
    expect(iopub.some((m) => m.header.msg_type === "execute_result")).to.equal(true);
    const { shown, counted, notices } = tally(iopub);
    expect(notices, "a visible notice").to.match(/output rate exceeded: the kernel drops output beyond/);
    expect(shown).to.be.greaterThan(0);
    expect(shown + counted, `${shown} shown + ${counted} reported dropped`).to.equal(n);
    // The kernel still serves cells; within the same window their output is shown or counted.
    const next = await kernel.client.execute(`for (let i = 0; i < 10; i++) display({"text/plain": String(i)})`);
    expect(next.reply.content.status).to.equal("ok");
    const nextTally = tally(next.iopub);
    expect(nextTally.shown + nextTally.counted).to.equal(10);
  });
});

describe("OutputRateLimit", function () {
  it("refuses output past the per-window budget of messages or bytes, and starts afresh in the next window", function () {
    let now = 0;
    const limit = new OutputRateLimit({ messagesPerSecond: 2, bytesPerSecond: 1000, windowMs: 1000, now: () => now });
    const admitted = (bytes: number): boolean => {
      if (!limit.hasRoom()) return false;
      limit.count(bytes);
      return true;
    };
    expect([admitted(10), admitted(10), admitted(10)]).to.deep.equal([true, true, false]);
    now = 1000;
    expect([admitted(1000), admitted(1)]).to.deep.equal([true, false]);
  });
});
