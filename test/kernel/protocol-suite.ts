/**
 * The messaging-protocol behaviour every seqlab kernel process must show, checked over
 * ZeroMQ against a real process started from dist/kernel/cli.js. Run once per engine.
 */
import { expect } from "chai";
import { randomUUID } from "crypto";
import { JupyterClient, KernelProcess } from "../../kernel/jupyter-client";
import { JupyterMessage, Signer, encode } from "../../kernel/wire";
import { alive, childPids, Dialect, sleep, startKernel } from "./helpers";

const types = (msgs: JupyterMessage[]): string[] => msgs.map((m) => m.header.msg_type);
const ofType = (msgs: JupyterMessage[], type: string): JupyterMessage[] => msgs.filter((m) => m.header.msg_type === type);

/** Checks the busy ... idle bracket of one request's iopub messages. */
function expectBracketed(msgs: JupyterMessage[], request: JupyterMessage): void {
  expect(msgs.length).to.be.greaterThanOrEqual(2);
  const first = msgs[0];
  const last = msgs[msgs.length - 1];
  expect([first.header.msg_type, first.content.execution_state]).to.deep.equal(["status", "busy"]);
  expect([last.header.msg_type, last.content.execution_state]).to.deep.equal(["status", "idle"]);
  for (const m of msgs) expect(m.parent_header.msg_id).to.equal(request.header.msg_id);
}

/** Waits until the request's cell is running (its busy status is out), then a little more. */
async function waitUntilRunning(client: JupyterClient, request: JupyterMessage): Promise<void> {
  await client.waitForIopub((m) => m.parent_header.msg_id === request.header.msg_id && m.header.msg_type === "execute_input", 30000, "execute_input");
  await sleep(300);
}

export function protocolSuite(dialect: Dialect): void {
  describe(`protocol with the ${dialect.name}`, function () {
    this.timeout(60000);
    let kernel: KernelProcess;
    let client: JupyterClient;

    before(async function () {
      kernel = await startKernel(dialect);
      client = kernel.client;
    });

    after(async function () {
      await kernel?.shutdown();
    });

    afterEach(function () {
      if (this.currentTest?.state === "failed") console.log(`kernel output:\n${kernel.log}`);
    });

    it("answers kernel_info on shell and on control, with busy/idle parented to the request", async function () {
      for (const channel of ["shell", "control"] as const) {
        const request = client.message("kernel_info_request", {});
        const reply = await client.request(channel, request);
        expect(reply.header.msg_type).to.equal("kernel_info_reply");
        expect(reply.parent_header.msg_id).to.equal(request.header.msg_id);
        expect(reply.content).to.include({ status: "ok", implementation: "seqlab" });
        expect(reply.content.protocol_version).to.equal("5.5");
        // No debugger, no subshells: nothing optional is claimed.
        expect(reply.content.supported_features).to.deep.equal([]);
        expect((reply.content.language_info as { name: string }).name).to.be.a("string").and.not.equal("");
        expectBracketed(await client.idleOf(request.header.msg_id), request);
      }
    });

    it("brackets an execution in busy/idle, broadcasts execute_input and returns the value as execute_result", async function () {
      const { request, reply, iopub } = await client.execute(`${dialect.print("side effect")}\n40 + 2`);
      expect(reply.content.status).to.equal("ok");
      expectBracketed(iopub, request);
      const count = reply.content.execution_count;
      expect(ofType(iopub, "execute_input")[0].content).to.deep.equal({ code: request.content.code, execution_count: count });
      const streams = ofType(iopub, "stream");
      expect(streams.map((m) => m.content.name)).to.include("stdout");
      expect(streams.map((m) => m.content.text).join("")).to.equal("side effect\n");
      const results = ofType(iopub, "execute_result");
      expect(results).to.have.length(1);
      expect(results[0].content.execution_count).to.equal(count);
      expect((results[0].content.data as Record<string, string>)["text/plain"]).to.equal("42");
      // the stream comes before the result
      expect(types(iopub).indexOf("stream")).to.be.lessThan(types(iopub).indexOf("execute_result"));
    });

    it("counts executions: silent and store_history=false runs do not advance the counter", async function () {
      const first = await client.execute("1");
      const n = first.reply.content.execution_count as number;
      const silent = await client.execute("2", { silent: true });
      expect(silent.reply.content.status).to.equal("ok");
      expect(types(silent.iopub)).to.deep.equal(["status", "status"]); // no execute_input, no execute_result
      const unstored = await client.execute("3", { store_history: false });
      expect(ofType(unstored.iopub, "execute_result")).to.have.length(1);
      const next = await client.execute("4");
      expect(next.reply.content.execution_count).to.equal(n + 1);
      expect(ofType(next.iopub, "execute_input")[0].content.execution_count).to.equal(n + 1);
      const tail = await client.request("shell", "history_request", { hist_access_type: "tail", n: 2, raw: true, output: false });
      expect((tail.content.history as unknown[][]).map((h) => h[2])).to.deep.equal(["1", "4"]);
    });

    it("coalesces a burst of prints into few stream messages, losing no text and reaching idle", async function () {
      const { reply, iopub } = await client.execute("for (let i = 0; i < 20000; i++) console.log(i)");
      expect(reply.content.status).to.equal("ok");
      const streams = ofType(iopub, "stream");
      const expected = Array.from({ length: 20000 }, (_, i) => `${i}\n`).join("");
      expect(streams.map((m) => m.content.text).join("")).to.equal(expected);
      expect(streams.length).to.be.lessThan(1000);
    });

    it("shows a print made before a long synchronous computation while the computation runs", async function () {
      const request = client.message("execute_request", { code: 'console.log("before"); const busyUntil = Date.now() + 1500; while (Date.now() < busyUntil) {}', silent: false, store_history: true, stop_on_error: true, user_expressions: {}, allow_stdin: false });
      const reply = client.replyTo(request);
      let replied = false;
      void reply.then(() => (replied = true));
      client.sendMessage("shell", request);
      const stream = await client.waitForIopub((m) => m.parent_header.msg_id === request.header.msg_id && m.header.msg_type === "stream", 10000, "the stream");
      expect(stream.content.text).to.equal("before\n");
      expect(replied, "the print arrived only after the cell finished").to.equal(false);
      expect((await reply).content.status).to.equal("ok");
    });

    it("reports an error once on iopub, with its traceback, and in the execute_reply", async function () {
      const { reply, iopub } = await client.execute('throw new Error("boom")');
      expect(reply.content).to.include({ status: "error", evalue: "boom" });
      expect(reply.content.ename).to.be.a("string").and.not.equal("");
      const errors = ofType(iopub, "error");
      expect(errors).to.have.length(1);
      expect(errors[0].content.evalue).to.equal("boom");
      expect(errors[0].content.traceback).to.be.an("array").that.is.not.empty;
      expect(ofType(iopub, "execute_result")).to.have.length(0);
    });

    it("stop_on_error aborts execute requests queued behind a failing cell, but not kernel_info or complete", async function () {
      const failing = client.message("execute_request", {
        code: "const t0 = Date.now(); while (Date.now() < t0 + 500) {} throw new Error('first fails')",
        silent: false,
        store_history: true,
        stop_on_error: true,
        allow_stdin: false,
        user_expressions: {},
      });
      const queuedCell = client.message("execute_request", { code: 'Reflect.set(globalThis, "ranAfterError", 1)', silent: false, store_history: true, stop_on_error: true, user_expressions: {}, allow_stdin: false });
      const info = client.message("kernel_info_request", {});
      const complete = client.message("complete_request", { code: "Math.ma", cursor_pos: 7 });
      const laterCell = client.message("execute_request", { code: "1", silent: false, store_history: true, stop_on_error: true, user_expressions: {}, allow_stdin: false });
      const replies = [failing, queuedCell, info, complete, laterCell].map((m) => client.replyTo(m));
      for (const m of [failing, queuedCell, info, complete, laterCell]) client.sendMessage("shell", m);
      const [r1, r2, r3, r4, r5] = await Promise.all(replies);
      expect(r1.content.status).to.equal("error");
      expect(r2.content.status).to.equal("aborted");
      expect(r3.content.status).to.equal("ok");
      expect(r4.content.status).to.equal("ok");
      expect(r5.content.status).to.equal("aborted");
      expectBracketed(await client.idleOf(queuedCell.header.msg_id), queuedCell);
      const check = await client.execute('Reflect.has(globalThis, "ranAfterError")');
      expect((ofType(check.iopub, "execute_result")[0].content.data as Record<string, string>)["text/plain"]).to.equal("false");
      // Nothing stays aborted afterwards.
      expect((await client.execute("5")).reply.content.status).to.equal("ok");
    });

    it("runs a cell sent right after the error reply arrived (it was not queued at the error)", async function () {
      const failing = client.message("execute_request", { code: "throw new Error('fails alone')", silent: false, store_history: true, stop_on_error: true, user_expressions: {}, allow_stdin: false });
      const failed = client.replyTo(failing);
      client.sendMessage("shell", failing);
      expect((await failed).content.status).to.equal("error");
      const next = client.message("execute_request", { code: "2 + 2", silent: false, store_history: true, stop_on_error: true, user_expressions: {}, allow_stdin: false });
      const reply = client.replyTo(next);
      client.sendMessage("shell", next);
      expect((await reply).content.status).to.equal("ok");
    });

    it("runs queued cells after an error when stop_on_error is false", async function () {
      const failing = client.message("execute_request", { code: "throw new Error('tolerated')", silent: false, store_history: true, stop_on_error: false, user_expressions: {}, allow_stdin: false });
      const next = client.message("execute_request", { code: dialect.define("ranAnyway", "7"), silent: false, store_history: true, stop_on_error: true, user_expressions: {}, allow_stdin: false });
      const replies = [client.replyTo(failing), client.replyTo(next)];
      client.sendMessage("shell", failing);
      client.sendMessage("shell", next);
      const [r1, r2] = await Promise.all(replies);
      expect([r1.content.status, r2.content.status]).to.deep.equal(["error", "ok"]);
    });

    it("keeps the heartbeat and control answering while a cell blocks the main thread", async function () {
      const request = client.message("execute_request", { code: "const until = Date.now() + 3000; while (Date.now() < until) {}", silent: false, store_history: true, stop_on_error: true, user_expressions: {}, allow_stdin: false });
      const executeReply = client.replyTo(request);
      client.sendMessage("shell", request);
      await waitUntilRunning(client, request);
      let executeDone = false;
      void executeReply.then(() => (executeDone = true));
      expect(await client.heartbeat(1500)).to.equal(true);
      const info = await client.request("control", "kernel_info_request", {}, 1500);
      expect(info.content.status).to.equal("ok");
      expect(executeDone, "control answered only after the cell finished").to.equal(false);
      expect((await executeReply).content.status).to.equal("ok");
    });

    it("answers usage_request on control in ipykernel 7's shape, also while a cell blocks the main thread", async function () {
      // The cell blocks for 15 s; both replies must come before it ends (however long each
      // takes on a loaded machine: 1.5 s was too short once, at load average 14).
      const request = client.message("execute_request", { code: "const spinUntil = Date.now() + 15000; while (Date.now() < spinUntil) {}", silent: false, store_history: true, stop_on_error: true, user_expressions: {}, allow_stdin: false });
      const executeReply = client.replyTo(request);
      let cellEnded = false;
      void executeReply.then(() => (cellEnded = true));
      client.sendMessage("shell", request);
      await waitUntilRunning(client, request);
      const first = await client.request("control", "usage_request", {}, 7000);
      // The host's CPU times advance in 10 ms ticks: without a pause both requests can fall in
      // one tick, and then (as in ipykernel) the second has no host figure either.
      await new Promise((resolve) => setTimeout(resolve, 250));
      const second = await client.request("control", "usage_request", {}, 7000);
      expect(cellEnded, "the replies came while the cell still blocked the main thread").to.equal(false);
      expect((await executeReply).content.status).to.equal("ok");
      for (const reply of [first, second]) {
        expect(reply.header.msg_type).to.equal("usage_reply");
        const c = reply.content as Record<string, unknown>;
        expect(c).to.include({ pid: kernel.pid });
        expect(c.hostname).to.be.a("string").and.not.equal("");
        expect(c.cpu_count).to.be.a("number").greaterThan(0);
        expect(c.kernel_cpu).to.be.a("number").at.least(0);
        expect(c.kernel_memory).to.be.a("number").greaterThan(1e6);
        const memory = c.host_virtual_memory as Record<string, number>;
        for (const field of ["total", "available", "percent", "used", "free"]) expect(memory[field], field).to.be.a("number");
        expect(memory.available).to.be.at.most(memory.total);
      }
      // Measured between requests, as psutil's cpu_percent(interval=None): the second has the host figure.
      expect(second.content.host_cpu_percent).to.be.a("number").within(0, 100);
    });

    for (const how of ["SIGINT", "interrupt_request"] as const) {
      for (const loop of ["synchronous", "awaited"] as const) {
        it(`interrupts a ${loop} endless loop by ${how} and keeps the variables`, async function () {
          const name = `kept_${how}_${loop}`.replace(/\W/g, "_");
          expect((await client.execute(dialect.define(name, "41"))).reply.content.status).to.equal("ok");
          const code = loop === "synchronous" ? "while (true) {}" : dialect.awaitForever;
          const request = client.message("execute_request", { code, silent: false, store_history: true, stop_on_error: true, user_expressions: {}, allow_stdin: false });
          const reply = client.replyTo(request);
          client.sendMessage("shell", request);
          await waitUntilRunning(client, request);
          if (how === "SIGINT") process.kill(kernel.pid, "SIGINT");
          else expect((await client.request("control", "interrupt_request", {}, 5000)).content.status).to.equal("ok");
          const r = await reply;
          expect(r.content.status).to.equal("error");
          expect(ofType(await client.idleOf(request.header.msg_id), "error")).to.have.length(1);
          const after = await client.execute(`${name} + 1`);
          expect((ofType(after.iopub, "execute_result")[0].content.data as Record<string, string>)["text/plain"]).to.equal("42");
          expect(alive(kernel.pid)).to.equal(true);
        });
      }
    }

    it("answers history requests: tail, range and search with unique and n", async function () {
      const tag = `h${randomUUID().slice(0, 6)}`;
      for (const code of [`"${tag}" + 1`, `"${tag}" + 2`, `"${tag}" + 1`, `"${tag}" + 3`]) await client.execute(code);
      const tail = await client.request("shell", "history_request", { hist_access_type: "tail", n: 3, raw: true, output: false });
      expect(tail.content.status).to.equal("ok");
      const rows = tail.content.history as [number, number, string][];
      expect(rows.map((r) => r[2])).to.deep.equal([`"${tag}" + 2`, `"${tag}" + 1`, `"${tag}" + 3`]);
      const [session, line] = rows[0];

      const withOutput = await client.request("shell", "history_request", { hist_access_type: "tail", n: 1, raw: true, output: true });
      expect((withOutput.content.history as unknown[][])[0][2]).to.deep.equal([`"${tag}" + 3`, `'${tag}3'`]);

      const range = await client.request("shell", "history_request", { hist_access_type: "range", session, start: line, stop: line + 2, raw: true, output: false });
      expect((range.content.history as unknown[][]).map((r) => r.slice(1))).to.deep.equal([
        [line, `"${tag}" + 2`],
        [line + 1, `"${tag}" + 1`],
      ]);
      const relative = await client.request("shell", "history_request", { hist_access_type: "range", session: 0, start: line, stop: line + 1, raw: true, output: false });
      expect((relative.content.history as unknown[][]).length).to.equal(1);

      const search = (extra: Record<string, unknown>) =>
        client.request("shell", "history_request", { hist_access_type: "search", pattern: `"${tag}" + ?`, raw: true, output: false, ...extra }).then((r) => (r.content.history as unknown[][]).map((h) => h[2]));
      expect(await search({})).to.deep.equal([`"${tag}" + 1`, `"${tag}" + 2`, `"${tag}" + 1`, `"${tag}" + 3`]);
      expect(await search({ unique: true })).to.deep.equal([`"${tag}" + 2`, `"${tag}" + 1`, `"${tag}" + 3`]);
      expect(await search({ n: 2 })).to.deep.equal([`"${tag}" + 1`, `"${tag}" + 3`]);
      expect(await search({ pattern: `*${tag}*2` })).to.deep.equal([`"${tag}" + 2`]);
    });

    it("answers comm_info with comm_info_reply and closes a comm opened to an unknown target", async function () {
      const info = await client.request("shell", "comm_info_request", {});
      expect(info.header.msg_type).to.equal("comm_info_reply");
      expect(info.content).to.deep.equal({ status: "ok", comms: {} });
      const commId = randomUUID();
      const open = client.message("comm_open", { comm_id: commId, target_name: "no.such.target", data: {} });
      client.sendMessage("shell", open);
      const close = await client.waitForIopub((m) => m.header.msg_type === "comm_close" && m.content.comm_id === commId, 10000, "comm_close");
      expect(close.parent_header.msg_id).to.equal(open.header.msg_id);
    });

    it("answers is_complete for complete and incomplete code", async function () {
      const complete = await client.request("shell", "is_complete_request", { code: "const a = 1;" });
      expect(complete.content.status).to.equal("complete");
      const incomplete = await client.request("shell", "is_complete_request", { code: "function f() {" });
      expect(incomplete.content.status).to.equal("incomplete");
    });

    it("counts cursor_pos in code points for complete and inspect (astral characters before the cursor)", async function () {
      const code = 'const s = "😀"; Math.ma';
      const cursor = Array.from(code).length; // 22 code points, 23 UTF-16 units
      const reply = await client.request("shell", "complete_request", { code, cursor_pos: cursor });
      expect(reply.content.status).to.equal("ok");
      expect(reply.content.matches).to.include("max");
      expect(reply.content.cursor_start).to.equal(cursor - 2);
      expect(reply.content.cursor_end).to.equal(cursor);
      const inspectCode = 'const t = "😀"; Math.max';
      const inspect = await client.request("shell", "inspect_request", { code: inspectCode, cursor_pos: Array.from(inspectCode).length, detail_level: 0 });
      expect(inspect.content).to.include({ status: "ok", found: true });
      expect(Object.keys(inspect.content.data as object)).to.include("text/plain");
    });

    it("answers a complete_request with a bad cursor_pos with a clear error, and completes at the end when it is omitted", async function () {
      const bad = await client.request("shell", "complete_request", { code: "Math.ma", cursor_pos: 99 });
      expect(bad.content.status).to.equal("error");
      expect(String(bad.content.evalue)).to.match(/cursor_pos must be a whole number from 0 to 7/);
      const omitted = await client.request("shell", "complete_request", { code: "Math.ma" });
      expect(omitted.content.status).to.equal("ok");
      expect(omitted.content.matches).to.include("max");
      expect(omitted.content.cursor_end).to.equal(7);
    });

    it("sends display_data and update_display_data with the display id, and clear_output", async function () {
      const id = `d-${randomUUID()}`;
      const shown = await client.execute(dialect.display("first", id, false));
      const display = ofType(shown.iopub, "display_data");
      expect(display).to.have.length(1);
      expect(display[0].content.data).to.deep.include({ "text/plain": "first" });
      expect(display[0].content.transient).to.deep.equal({ display_id: id });
      const updated = await client.execute(dialect.display("second", id, true));
      const update = ofType(updated.iopub, "update_display_data");
      expect(update).to.have.length(1);
      expect(update[0].content.data).to.deep.include({ "text/plain": "second" });
      expect(update[0].content.transient).to.deep.equal({ display_id: id });
      const cleared = await client.execute(dialect.clearOutput(true));
      expect(ofType(cleared.iopub, "clear_output").map((m) => m.content)).to.deep.equal([{ wait: true }]);
    });

    it("asks for input over stdin and gets the reply back into the cell", async function () {
      let prompt: unknown;
      client.onInputRequest = (request) => {
        prompt = request.content.prompt;
        return "typed by user";
      };
      const { reply, iopub } = await client.execute(dialect.input("Your name: "));
      expect(reply.content.status).to.equal("ok");
      expect(prompt).to.equal("Your name: ");
      expect((ofType(iopub, "execute_result")[0].content.data as Record<string, string>)["text/plain"]).to.equal("'typed by user'");
    });

    it("ends a cell waiting for input when interrupted, and asks again afterwards", async function () {
      let asked!: () => void;
      const promptSeen = new Promise<void>((resolve) => (asked = resolve));
      client.onInputRequest = () => {
        asked();
        return new Promise<string>(() => {}); // the user never answers
      };
      const request = client.message("execute_request", { code: dialect.input("waiting: "), silent: false, store_history: true, stop_on_error: true, user_expressions: {}, allow_stdin: true });
      const reply = client.replyTo(request);
      client.sendMessage("shell", request);
      await promptSeen;
      process.kill(kernel.pid, "SIGINT");
      expect((await reply).content.status).to.equal("error");
      client.onInputRequest = () => "second answer";
      const again = await client.execute(dialect.input("again: "));
      expect(again.reply.content.status, JSON.stringify(again.reply.content)).to.equal("ok");
      expect((ofType(again.iopub, "execute_result")[0].content.data as Record<string, string>)["text/plain"]).to.equal("'second answer'");
    });

    it("refuses input with a clear error when the request had allow_stdin false", async function () {
      const { reply } = await client.execute(dialect.input("never shown"), { allow_stdin: false });
      expect(reply.content.status).to.equal("error");
      expect(String(reply.content.evalue)).to.match(/this frontend does not accept input/);
    });

    it("drops a message with a bad HMAC signature: nothing runs, the kernel logs it and stays up", async function () {
      const forged = client.message("execute_request", { code: 'Reflect.set(globalThis, "forged", 1)', silent: false, store_history: true, stop_on_error: true, user_expressions: {}, allow_stdin: false });
      client.sendMessage("shell", forged, new Signer("not-the-key"));
      // Shell messages are served in order, so by the time this answers the forged one was seen.
      const check = await client.execute('Reflect.has(globalThis, "forged")');
      expect((ofType(check.iopub, "execute_result")[0].content.data as Record<string, string>)["text/plain"]).to.equal("false");
      expect(client.iopubFor(forged.header.msg_id)).to.have.length(0);
      expect(kernel.log).to.match(/invalid HMAC signature/);
      expect(alive(kernel.pid)).to.equal(true);
    });

    it("routes replies back through several identity frames", async function () {
      const extra = [Buffer.from("hop-1"), Buffer.from("hop-2")];
      const request = client.message("kernel_info_request", {}, { identities: extra });
      const reply = client.replyTo(request);
      await client.sendFrames("shell", encode(request, new Signer(client.connection.key)));
      const r = await reply;
      expect(r.identities.map((b) => b.toString())).to.deep.equal(["hop-1", "hop-2"]);
      expect(r.content.status).to.equal("ok");
    });

    it("refuses debug_request on control in the debug adapter's shape (no debugger is advertised)", async function () {
      const info = await client.request("control", "kernel_info_request", {});
      expect(info.content.debugger).to.equal(false);
      const reply = await client.request("control", "debug_request", { type: "request", seq: 3, command: "initialize", arguments: {} });
      expect(reply.header.msg_type).to.equal("debug_reply");
      expect(reply.content).to.include({ type: "response", request_seq: 3, success: false, command: "initialize" });
    });

    it("serves shell requests sent on control (history_request) and ignores unknown types without dying", async function () {
      const request = client.message("history_request", { hist_access_type: "tail", n: 1, raw: true, output: false });
      const history = await client.request("control", request);
      expect(history.header.msg_type).to.equal("history_reply");
      expect(history.content.status).to.equal("ok");
      const statuses = await client.idleOf(request.header.msg_id);
      expectBracketed(statuses, request);
      expect(ofType(statuses, "status")).to.have.length(2); // one busy, one idle
      const unknown = client.message("frobnicate_request", {});
      client.sendMessage("shell", unknown);
      expectBracketed(await client.idleOf(unknown.header.msg_id), unknown);
      expect((await client.execute("1 + 1")).reply.content.status).to.equal("ok");
      expect(kernel.log).to.contain('ignored unknown request type "frobnicate_request"');
    });

    it("evaluates user_expressions after the cell", async function () {
      const { reply } = await client.execute(dialect.define("ue", "20"), { user_expressions: { doubled: "ue * 2", broken: "noSuchName.x" } });
      const ue = reply.content.user_expressions as Record<string, { status: string; data?: Record<string, string> }>;
      expect(ue.doubled.status).to.equal("ok");
      expect(ue.doubled.data!["text/plain"]).to.equal("40");
      expect(ue.broken.status).to.equal("error");
    });
  });

  describe(`kernel lifecycle with the ${dialect.name}`, function () {
    // Generous limits: on a loaded machine a fresh kernel's first cell and its exit take tens of
    // seconds (run 2 of a shuffled 5-run repeat, load average 14, timed out at 30 s and 5 s).
    // What these tests check is that the kernel ends, cleanly and with its children, not how fast.
    this.timeout(240000);
    const EXIT_WAIT_MS = 60000;

    for (const restart of [false, true]) {
      it(`shuts down on shutdown_request (restart: ${restart}), ending the child processes cells started`, async function () {
        const kernel = await startKernel(dialect);
        try {
          const spawned = await kernel.client.execute(dialect.spawnChild, { timeoutMs: 120000 });
          expect(spawned.reply.content.status, JSON.stringify(spawned.reply.content)).to.equal("ok");
          const children = childPids(kernel.pid);
          expect(children, "the cell's child process").to.not.be.empty;
          const reply = await kernel.client.request("control", "shutdown_request", { restart }, 30000);
          expect(reply.content).to.deep.equal({ status: "ok", restart });
          const exit = await Promise.race([kernel.exited, sleep(EXIT_WAIT_MS).then(() => null)]);
          expect(exit, `the kernel did not exit; output:\n${kernel.log}`).to.not.equal(null);
          expect(exit!.code).to.equal(0);
          for (const pid of children) expect(alive(pid), `child ${pid} survived`).to.equal(false);
        } finally {
          if (alive(kernel.pid)) kernel.child.kill("SIGKILL");
          kernel.dispose();
        }
      });
    }

    // The control thread interrupts a main thread slow to take a shutdown (its SIGINT can land
    // after the shutdown has begun): the kernel must still end cleanly, not by the signal.
    it("ends with exit code 0 when a SIGINT arrives while it shuts down", async function () {
      const kernel = await startKernel(dialect);
      try {
        const spawned = await kernel.client.execute(dialect.spawnChild, { timeoutMs: 120000 });
        expect(spawned.reply.content.status, JSON.stringify(spawned.reply.content)).to.equal("ok");
        const reply = await kernel.client.request("control", "shutdown_request", { restart: false }, 30000);
        expect(reply.content.status).to.equal("ok");
        // Ending the cell's child takes the shutdown some milliseconds: the signals land within it.
        for (let i = 0; i < 5 && alive(kernel.pid); i++) {
          await sleep(20);
          if (alive(kernel.pid)) process.kill(kernel.pid, "SIGINT");
        }
        const exit = await Promise.race([kernel.exited, sleep(EXIT_WAIT_MS).then(() => null)]);
        expect(exit, `the kernel did not exit; output:\n${kernel.log}`).to.deep.equal({ code: 0, signal: null });
      } finally {
        if (alive(kernel.pid)) kernel.child.kill("SIGKILL");
        kernel.dispose();
      }
    });

    it("shuts down even while a cell blocks the main thread", async function () {
      const kernel = await startKernel(dialect);
      try {
        const request = kernel.client.message("execute_request", { code: "while (true) {}", silent: false, store_history: true, stop_on_error: true, user_expressions: {}, allow_stdin: false });
        kernel.client.sendMessage("shell", request);
        await waitUntilRunning(kernel.client, request);
        const reply = await kernel.client.request("control", "shutdown_request", { restart: false }, 30000);
        expect(reply.content.status).to.equal("ok");
        const exit = await Promise.race([kernel.exited, sleep(EXIT_WAIT_MS).then(() => null)]);
        expect(exit, `the kernel did not exit; output:\n${kernel.log}`).to.not.equal(null);
      } finally {
        if (alive(kernel.pid)) kernel.child.kill("SIGKILL");
        kernel.dispose();
      }
    });

    it("exits cleanly on SIGTERM", async function () {
      const kernel = await startKernel(dialect);
      try {
        process.kill(kernel.pid, "SIGTERM");
        const exit = await Promise.race([kernel.exited, sleep(EXIT_WAIT_MS).then(() => null)]);
        expect(exit, `the kernel's output:\n${kernel.log}`).to.deep.equal({ code: 0, signal: null });
        expect(kernel.log).to.match(/shut down \(SIGTERM\)/);
      } finally {
        if (alive(kernel.pid)) kernel.child.kill("SIGKILL");
        kernel.dispose();
      }
    });

    it("serves over the ipc transport", async function () {
      const kernel = await startKernel(dialect, { transport: "ipc" });
      try {
        const { reply } = await kernel.client.execute("6 * 7");
        expect(reply.content.status).to.equal("ok");
        expect(await kernel.client.heartbeat()).to.equal(true);
      } finally {
        await kernel.shutdown();
      }
    });
  });
}
