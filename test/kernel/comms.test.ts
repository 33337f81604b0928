/**
 * Comms over a real kernel process (JS test engine, whose cells see lib/comms.ts as `comms`):
 * targets registered by kernel code, comms opened from either side, binary buffers both ways,
 * parent headers, comm_info filtering, and comm messages reaching a cell that is awaiting
 * (with their own busy and idle status).
 */
import { expect } from "chai";
import { randomUUID } from "crypto";
import { JupyterClient, KernelProcess } from "../../kernel/jupyter-client";
import type { JupyterMessage } from "../../kernel/wire";
import { comms } from "../../lib/comms";
import { engineBuilt, engineDialect, jsDialect, startKernel } from "./helpers";

const resultText = (iopub: JupyterMessage[]): string | undefined =>
  (iopub.find((m) => m.header.msg_type === "execute_result")?.content.data as Record<string, string> | undefined)?.["text/plain"];

function commMessage(client: JupyterClient, type: string, content: Record<string, unknown>, buffers: Buffer[] = []): JupyterMessage {
  const msg = client.message(type, content);
  msg.buffers = buffers;
  return msg;
}

/** The next iopub message of `type` for `commId`. */
const nextOnComm = (client: JupyterClient, type: string, commId: string, after: JupyterMessage | undefined = undefined): Promise<JupyterMessage> =>
  client.waitForIopub((m) => m.header.msg_type === type && m.content.comm_id === commId && (!after || m.parent_header.msg_id === after.header.msg_id), 10000, type);

/** Opens a comm to `target` from the frontend and waits until the kernel has handled it; returns its id. */
async function openFromFrontend(client: JupyterClient, target: string): Promise<string> {
  const commId = randomUUID();
  const open = commMessage(client, "comm_open", { comm_id: commId, target_name: target, data: {} });
  client.sendMessage("shell", open);
  await client.idleOf(open.header.msg_id);
  return commId;
}

/**
 * Starts a cell that awaits until a comm message arrives (yielding between steps, like a
 * training loop), sends the comm message once the cell runs, and returns the cell's result,
 * the kernel's answer on the comm and the execute_request. Fails (by the reply's time limit)
 * if the message waits behind the cell.
 */
async function messageWhileAwaiting(client: JupyterClient, code: string, commId: string, data: Record<string, unknown>): Promise<{ result?: string; answer: JupyterMessage; cell: JupyterMessage }> {
  const cell = client.message("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
  const reply = client.replyTo(cell, 20000);
  client.sendMessage("shell", cell);
  await client.waitForIopub((m) => m.parent_header.msg_id === cell.header.msg_id && m.header.msg_type === "execute_input");
  const msg = commMessage(client, "comm_msg", { comm_id: commId, data });
  client.sendMessage("shell", msg);
  expect((await reply).content.status, "the cell never saw the comm message").to.equal("ok");
  return { result: resultText(await client.idleOf(cell.header.msg_id)), answer: await nextOnComm(client, "comm_msg", commId, msg), cell };
}

describe("comms", function () {
  this.timeout(60000);
  let kernel: KernelProcess;
  let client: JupyterClient;

  before(async function () {
    kernel = await startKernel(jsDialect);
    client = kernel.client;
  });

  after(async function () {
    await kernel?.shutdown();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`kernel output:\n${kernel.log}`);
  });

  it("serves a comm the frontend opens to a registered target: messages with buffers both ways, comm_info, close", async function () {
    const setup = await client.execute(`
      var closedWith = null;
      comms.registerTarget("echo", (comm, open) => {
        comm.send({ ready: open.data.greeting, openBytes: open.buffers.map((b) => Array.from(b)) });
        comm.onMessage((msg) => comm.send({ echo: msg.data, sizes: msg.buffers.map((b) => b.length) }, msg.buffers.map((b) => new Uint8Array(b).reverse())));
        comm.onClose((msg) => { closedWith = msg.data; });
      });`);
    expect(setup.reply.content.status).to.equal("ok");
    const commId = randomUUID();
    const open = commMessage(client, "comm_open", { comm_id: commId, target_name: "echo", data: { greeting: "hi" } }, [Buffer.from([9, 8])]);
    client.sendMessage("shell", open);
    const ready = await nextOnComm(client, "comm_msg", commId, open);
    expect(ready.content.data).to.deep.equal({ ready: "hi", openBytes: [[9, 8]] });

    const msg = commMessage(client, "comm_msg", { comm_id: commId, data: { n: 1 } }, [Buffer.from([1, 2, 3]), Buffer.from([4])]);
    client.sendMessage("shell", msg);
    const echo = await nextOnComm(client, "comm_msg", commId, msg);
    expect(echo.content.data).to.deep.equal({ echo: { n: 1 }, sizes: [3, 1] });
    expect(echo.buffers.map((b) => Array.from(b))).to.deep.equal([[3, 2, 1], [4]]);

    const all = await client.request("shell", "comm_info_request", {});
    expect(all.content.comms).to.deep.include({ [commId]: { target_name: "echo" } });
    const other = await client.request("shell", "comm_info_request", { target_name: "other" });
    expect(other.content.comms).to.deep.equal({});

    const close = commMessage(client, "comm_close", { comm_id: commId, data: { bye: true } });
    client.sendMessage("shell", close);
    await client.idleOf(close.header.msg_id);
    expect(resultText((await client.execute("JSON.stringify(closedWith)")).iopub)).to.equal(`'{"bye":true}'`);
    const afterClose = await client.request("shell", "comm_info_request", { target_name: "echo" });
    expect(afterClose.content.comms).to.deep.equal({});
  });

  it("opens a comm from kernel code, parented to the cell, with data, metadata and buffers; sends and closes it", async function () {
    const opened = await client.execute(`var kc = comms.open("frontend.target", { a: 1 }, { version: "2" }, [new Uint8Array([5, 6]), new Float32Array([1.5]).buffer]); kc.commId`);
    const commId = String(resultText(opened.iopub)).slice(1, -1);
    const open = opened.iopub.find((m) => m.header.msg_type === "comm_open")!;
    expect(open.parent_header.msg_id).to.equal(opened.request.header.msg_id);
    expect(open.content).to.deep.equal({ comm_id: commId, target_name: "frontend.target", data: { a: 1 } });
    expect(open.metadata).to.deep.equal({ version: "2" });
    expect(open.buffers.map((b) => Array.from(b))).to.deep.equal([[5, 6], Array.from(Buffer.from(new Float32Array([1.5]).buffer))]);
    expect((await client.request("shell", "comm_info_request", { target_name: "frontend.target" })).content.comms).to.deep.equal({ [commId]: { target_name: "frontend.target" } });

    await client.execute(`var kcGot = []; kc.onMessage((m) => kcGot.push([m.data, m.buffers.map(String)]))`);
    const fromFrontend = commMessage(client, "comm_msg", { comm_id: commId, data: { c: 3 } }, [Buffer.from("ab")]);
    client.sendMessage("shell", fromFrontend);
    await client.idleOf(fromFrontend.header.msg_id);
    expect(resultText((await client.execute("JSON.stringify(kcGot)")).iopub)).to.equal(`'[[{"c":3},["ab"]]]'`);

    const sent = await client.execute(`kc.send({ b: 2 }, [Buffer.from("xyz")])`);
    const msg = sent.iopub.find((m) => m.header.msg_type === "comm_msg")!;
    expect(msg.parent_header.msg_id).to.equal(sent.request.header.msg_id);
    expect([msg.content, msg.buffers.map(String)]).to.deep.equal([{ comm_id: commId, data: { b: 2 } }, ["xyz"]]);

    const closed = await client.execute(`kc.close({ done: true }); kc.closed`);
    expect(resultText(closed.iopub)).to.equal("true");
    expect(closed.iopub.find((m) => m.header.msg_type === "comm_close")?.content).to.deep.equal({ comm_id: commId, data: { done: true } });
    const again = await client.execute(`kc.send({})`);
    expect(again.reply.content).to.include({ status: "error" });
    expect(String(again.reply.content.evalue)).to.match(/is closed; open a new comm/);
  });

  it("hands comm messages to a cell that is awaiting, at once, with replies parented to the comm message", async function () {
    await client.execute(`
      var steps = [];
      comms.registerTarget("trainer", (comm) => comm.onMessage((msg) => { steps.push(msg.data.step); comm.send({ seen: msg.data.step }); }));`);
    const commId = await openFromFrontend(client, "trainer");
    const code = "(async () => { while (steps.length === 0) await new Promise((r) => setTimeout(r, 10)); return steps[0]; })()";
    const { result, answer } = await messageWhileAwaiting(client, code, commId, { step: 7 });
    expect(result).to.equal("7");
    expect(answer.content.data).to.deep.equal({ seen: 7 });
  });

  it("gives a comm message handled while a cell awaits its own busy and idle, the idle once the cell has ended", async function () {
    // ipywidgets' frontend sends a model's next update only after the idle of its previous one;
    // the kernel stays busy (as its status says) until the cell ends.
    await client.execute(`var notes = []; comms.registerTarget("notes", (comm) => comm.onMessage((msg) => { notes.push(msg.data.note); comm.send({ noted: msg.data.note }); }));`);
    const commId = await openFromFrontend(client, "notes");
    const code = "(async () => { while (notes.length === 0) await new Promise((r) => setTimeout(r, 10)); return notes[0]; })()";
    const { result, answer, cell } = await messageWhileAwaiting(client, code, commId, { note: "a" });
    expect(result).to.equal("'a'");
    const commMsgId = answer.parent_header.msg_id;
    await client.idleOf(String(commMsgId));
    const order = client.iopub
      .filter((m) => m.parent_header.msg_id === commMsgId || m.parent_header.msg_id === cell.header.msg_id)
      .map((m) => `${m.parent_header.msg_type} ${m.header.msg_type}${m.header.msg_type === "status" ? ` ${m.content.execution_state}` : ""}`);
    expect(order).to.deep.equal([
      "execute_request status busy",
      "execute_request execute_input",
      "comm_msg status busy",
      "comm_msg comm_msg",
      "execute_request execute_result",
      "comm_msg status idle",
      "execute_request status idle",
    ]);
  });

  it("closes a comm whose target handler throws, shows the error on stderr, and keeps the kernel's state", async function () {
    await client.execute(`var kept = 5; comms.registerTarget("broken", () => { throw new Error("handler bug"); });`);
    const commId = randomUUID();
    const open = commMessage(client, "comm_open", { comm_id: commId, target_name: "broken", data: {} });
    client.sendMessage("shell", open);
    const iopub = await client.idleOf(open.header.msg_id);
    const stderr = iopub.filter((m) => m.header.msg_type === "stream").map((m) => String(m.content.text)).join("");
    expect(stderr).to.match(/Error in the handler of comm target "broken": Error: handler bug/);
    expect(iopub.find((m) => m.header.msg_type === "comm_close")?.content.comm_id).to.equal(commId);
    expect(resultText((await client.execute("kept")).iopub)).to.equal("5");
  });

  it("refuses bad arguments with errors that say what to pass", async function () {
    const cases: [string, RegExp][] = [
      [`comms.open("")`, /target name must be a non-empty string/],
      [`comms.open("t", [1, 2])`, /data must be a plain object/],
      [`comms.registerTarget("t", 42)`, /handler must be a function/],
      [`comms.open("t", {}, {}, ["not bytes"])`, /each buffer must be an ArrayBuffer or a typed array/],
    ];
    for (const [code, message] of cases) {
      const { reply } = await client.execute(code);
      expect(reply.content.status, code).to.equal("error");
      expect(String(reply.content.evalue), code).to.match(message);
    }
  });
});

describe("comms from TypeScript cells (seqlab engine)", function () {
  this.timeout(120000);
  let kernel: KernelProcess | undefined;

  after(async function () {
    await kernel?.shutdown();
  });

  it("reach sl.comms from \`import * as sl from \"seqlab\"\`, both ways, while a cell awaits", async function () {
    if (!engineBuilt()) throw new Error("dist/kernel/engine/index.js is missing: build the engine (npm run build)");
    kernel = await startKernel(engineDialect);
    const { client } = kernel;
    const setup = await client.execute(`import * as sl from "seqlab";
const received: number[] = [];
sl.comms.registerTarget("ts.target", (comm, open) => {
  comm.onMessage((msg) => { received.push(Number(msg.data.value)); comm.send({ got: msg.data.value }, [new Float32Array([0.5])]); });
});
const out = sl.comms.open("frontend.ts", { from: "ts" });
out.targetName`, { timeoutMs: 100000 });
    expect(setup.reply.content.status, JSON.stringify(setup.reply.content)).to.equal("ok");
    expect(resultText(setup.iopub)).to.equal("'frontend.ts'");
    expect(setup.iopub.find((m) => m.header.msg_type === "comm_open")?.content).to.deep.include({ target_name: "frontend.ts", data: { from: "ts" } });

    const commId = await openFromFrontend(client, "ts.target");
    const code = "while (received.length === 0) await new Promise((r) => setTimeout(r, 10));\nreceived[0] * 2";
    const { result, answer } = await messageWhileAwaiting(client, code, commId, { value: 21 });
    expect(result).to.equal("42");
    expect(answer.content.data).to.deep.equal({ got: 21 });
    expect(new Float32Array(new Uint8Array(answer.buffers[0]).buffer)[0]).to.equal(0.5);
  });
});

describe("comms outside a kernel", function () {
  it("say that comms need a Jupyter kernel, and report themselves unavailable", function () {
    expect(comms.available()).to.equal(false);
    expect(() => comms.open("jupyter.widget")).to.throw(/sl\.comms\.open needs a Jupyter kernel/);
    expect(() => comms.registerTarget("t", () => undefined)).to.throw(/needs a Jupyter kernel/);
  });
});
