import { expect } from "chai";
import { createHmac } from "crypto";
import { decode, DELIMITER, encode, endpoint, makeMessage, ReplayGuard, Signer, validateConnectionInfo, WireError } from "../../kernel/wire";

describe("kernel wire format", function () {
  const signer = new Signer("secret");

  it("round-trips a message with identities, metadata and buffers", function () {
    const msg = makeMessage("execute_request", { code: "1 + 1" }, { session: "s1", identities: [Buffer.from("a"), Buffer.from("b")], metadata: { m: 1 }, buffers: [Buffer.from([1, 2, 3])] });
    const frames = encode(msg, signer);
    expect(frames[2].toString()).to.equal(DELIMITER);
    const back = decode(frames, signer);
    expect(back.identities.map(String)).to.deep.equal(["a", "b"]);
    expect(back.header).to.deep.equal(msg.header);
    expect(back.content).to.deep.equal({ code: "1 + 1" });
    expect(back.metadata).to.deep.equal({ m: 1 });
    expect([...back.buffers[0]]).to.deep.equal([1, 2, 3]);
  });

  it("refuses a message whose signature it has seen, remembering only the most recent signatures", function () {
    const guard = new ReplayGuard(2);
    const frames = [1, 2, 3].map((i) => encode(makeMessage("kernel_info_request", { i }, { session: "s" }), signer));
    decode(frames[0], signer, guard);
    expect(() => decode(frames[0], signer, guard)).to.throw(WireError, /duplicate signature/);
    decode(frames[1], signer, guard);
    decode(frames[2], signer, guard); // the first is forgotten now
    expect(() => decode(frames[0], signer, guard)).to.not.throw();
    expect(() => decode(frames[2], signer, guard)).to.throw(WireError, /duplicate signature/);
    // Unsigned messages (empty key) carry nothing to remember.
    const unsigned = encode(makeMessage("kernel_info_request", {}, { session: "s" }), new Signer(""));
    decode(unsigned, new Signer(""), guard);
    expect(() => decode(unsigned, new Signer(""), guard)).to.not.throw();
  });

  it("signs the four JSON frames with HMAC-SHA256 in hex", function () {
    const frames = encode(makeMessage("status", { execution_state: "idle" }, { session: "s" }), signer);
    const hmac = createHmac("sha256", "secret");
    for (const f of frames.slice(2, 6)) hmac.update(f);
    expect(frames[1].toString()).to.equal(hmac.digest("hex"));
  });

  it("rejects a bad signature, a missing delimiter and non-JSON frames", function () {
    const frames = encode(makeMessage("kernel_info_request", {}, { session: "s" }), signer);
    expect(() => decode(frames, new Signer("other"))).to.throw(WireError, /invalid HMAC signature/);
    expect(() => decode(frames.slice(1), signer)).to.throw(WireError, /delimiter/);
    const broken = [...frames];
    broken[5] = Buffer.from("{not json");
    const unsigned = new Signer("");
    expect(() => decode(broken, unsigned)).to.throw(WireError, /content frame is not valid JSON/);
    expect(() => decode(frames.slice(0, 4), signer)).to.throw(WireError, /expected signature and 4 JSON frames/);
  });

  it("leaves messages unsigned when the key is empty, and accepts any signature then", function () {
    const none = new Signer("");
    const frames = encode(makeMessage("kernel_info_request", {}, { session: "s" }), none);
    expect(frames[1].toString()).to.equal("");
    expect(decode(frames, none).header.msg_type).to.equal("kernel_info_request");
  });

  it("refuses an unknown signature scheme with a clear message", function () {
    expect(() => new Signer("k", "md5")).to.throw(WireError, /hmac-<digest>/);
  });

  it("builds tcp and ipc endpoints and checks connection files", function () {
    const info = validateConnectionInfo({ ip: "127.0.0.1", shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5, key: "k" }, "conn.json");
    expect(info.transport).to.equal("tcp");
    expect(info.signature_scheme).to.equal("hmac-sha256");
    expect(endpoint(info, "control")).to.equal("tcp://127.0.0.1:4");
    expect(endpoint({ ...info, transport: "ipc", ip: "/tmp/k" }, "hb")).to.equal("ipc:///tmp/k-5");
    expect(() => validateConnectionInfo({ ip: "x", shell_port: "1" }, "conn.json")).to.throw(/conn.json: "shell_port" must be an integer/);
    expect(() => validateConnectionInfo({ ...info, transport: "udp" }, "conn.json")).to.throw(/transport must be "tcp" or "ipc"/);
  });
});
