/**
 * Message authentication at the kernel: a signed message sent again (a replay) is dropped,
 * as jupyter_client's Session does; an empty key works but is warned about once.
 */
import { expect } from "chai";
import { KernelProcess } from "../../kernel/jupyter-client";
import { encode, Signer } from "../../kernel/wire";
import { cliPath, jsDialect, startKernel } from "./helpers";

describe("replayed and unauthenticated messages", function () {
  this.timeout(60000);
  let kernel: KernelProcess | undefined;

  afterEach(async function () {
    await kernel?.shutdown();
    kernel = undefined;
  });

  it("runs an identical signed execute_request once, however often it is sent", async function () {
    kernel = await startKernel(jsDialect);
    const { client } = kernel;
    const request = client.message("execute_request", { code: "var runs = (typeof runs === 'undefined' ? 0 : runs) + 1", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    const frames = encode(request, new Signer(client.connection.key, client.connection.signature_scheme));
    const inputs: unknown[] = [];
    const stop = client.onIopub(request.header.msg_id, (m) => m.header.msg_type === "execute_input" && inputs.push(m));
    for (let i = 0; i < 3; i++) await client.sendFrames("shell", frames);
    // Requests are served in order: once this one is answered, the three copies have been seen.
    const { iopub } = await client.execute("runs");
    stop();
    expect(iopub.find((m) => m.header.msg_type === "execute_result")?.content.data).to.deep.equal({ "text/plain": "1" });
    expect(inputs).to.have.length(1);
    // The kernel's stderr comes through a pipe of its own, which may trail the reply.
    for (let i = 0; i < 100 && !/duplicate signature/.test(kernel.log); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(kernel.log).to.match(/duplicate signature/);
  });

  it("answers a control request once when it is replayed", async function () {
    kernel = await startKernel(jsDialect);
    const { client } = kernel;
    const request = client.message("kernel_info_request", {});
    const frames = encode(request, new Signer(client.connection.key, client.connection.signature_scheme));
    const busy: unknown[] = [];
    client.onIopub(request.header.msg_id, (m) => m.content.execution_state === "busy" && busy.push(m));
    const reply = client.replyTo(request);
    await client.sendFrames("control", frames);
    await reply;
    await client.sendFrames("control", frames);
    // The next request on control is handled after the replayed copy would have been.
    await client.request("control", "kernel_info_request", {});
    await client.idleOf(request.header.msg_id);
    expect(busy).to.have.length(1);
  });

  it("works with an empty key but warns once, at start-up, that messages are not authenticated", async function () {
    kernel = (await KernelProcess.launch({ argv: [process.execPath, cliPath, "kernel", "--connection-file", "{connection_file}", ...jsDialect.kernelArgs], key: "" }, 30000)).kernel;
    expect(kernel.client.connection.key).to.equal("");
    for (const code of ["6 * 7", "1"]) expect((await kernel.client.execute(code)).reply.content.status).to.equal("ok");
    const warnings = kernel.log.match(/not authenticated/g) ?? [];
    expect(warnings, kernel.log).to.have.length(1);
  });
});
