/**
 * An interrupt that arrives early in a cell (while the cell is type-checked or its magic
 * sets up, before its code runs) is never lost: against a real kernel, in both interrupt
 * modes, at several moments, with an awaiting cell and a %%train cell.
 */
import { expect } from "chai";
import { KernelProcess } from "../../kernel/jupyter-client";
import type { JupyterMessage } from "../../kernel/wire";
import { cliPath, repoRoot, sleep } from "./helpers";

/** After this, type-checking a cell takes long (the tfjs declarations). */
const SETUP = `import * as tf from "@tensorflow/tfjs";
import * as sl from "seqlab";
await sl.initBackend();
const model = sl.buildLabModel({ vocabSize: 12, embeddingDim: 8, units: 16, seed: 1 });
const batches = [{ x: tf.zeros([2, 8], "int32"), y: tf.zeros([2, 8], "int32") }];`;

/** Cells that run far longer than the test waits unless the interrupt stops them. */
const CELLS = {
  "an awaiting cell": "await new Promise((resolve) => setTimeout(resolve, 20000));",
  "a %%train cell": "%%train $model --data $batches --steps 1000000",
};

/**
 * When the interrupt is sent: "input" as soon as execute_input says the kernel began the
 * cell, else ms after the request was sent.
 */
const MOMENTS = ["input", 50, 200, 500] as const;

describe("interrupts early in a cell", function () {
  this.timeout(240000);

  for (const mode of ["signal", "message"] as const) {
    describe(`interrupt_mode ${mode}`, function () {
      let kernel: KernelProcess;

      before(async function () {
        ({ kernel } = await KernelProcess.launch({ argv: [process.execPath, cliPath, "kernel", "--connection-file", "{connection_file}"], cwd: repoRoot, interruptMode: mode }, 60000));
        const { reply } = await kernel.client.execute(SETUP, { timeoutMs: 120000 });
        expect(reply.content.status, String(reply.content.evalue)).to.equal("ok");
      });
      after(async function () {
        await kernel?.shutdown(5000);
      });

      for (const [what, code] of Object.entries(CELLS)) {
        it(`stops ${what} interrupted on execute_input and 50, 200 and 500 ms after the request; the next cell runs`, async function () {
          const client = kernel.client;
          for (const moment of MOMENTS) {
            const request = client.message("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
            const reply = client.replyTo(request, 60000);
            const began = client.waitForIopub((m: JupyterMessage) => m.parent_header.msg_id === request.header.msg_id && m.header.msg_type === "execute_input", 60000, "execute_input");
            client.sendMessage("shell", request);
            if (moment === "input") await began;
            else await sleep(moment);
            await kernel.interrupt();
            const when = `${what} interrupted ${moment === "input" ? "on execute_input" : `${moment} ms in`} (${mode})`;
            const r = await reply.catch((err: Error) => {
              throw new Error(`${when}: ${err.message}`); // which moment lost its interrupt
            });
            expect(r.content.ename, when).to.equal("KeyboardInterrupt");
            await client.idleOf(request.header.msg_id);
            expect(kernel.running).to.equal(true);
            const next = await client.execute("1 + 1");
            expect(next.reply.content.status).to.equal("ok");
            const result = next.iopub.find((m) => m.header.msg_type === "execute_result");
            expect((result?.content.data as Record<string, string>)["text/plain"]).to.equal("2");
          }
        });
      }
    });
  }
});
