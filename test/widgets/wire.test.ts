/**
 * The widget protocol's wire forms, against a recording comm host (what the kernel installs):
 * binary buffers by buffer_paths both ways, widget references from the frontend, custom
 * messages, close from either side.
 */
import { expect } from "chai";
import { widgets } from "../../lib";
import type { BufferLike, Comm, CommHost, CommMessage } from "../../lib/comms";
import { commHost, setCommHost } from "../../lib/runtime";
import { joinBuffers, splitBuffers } from "../../lib/widgets/serialize";

interface Sent {
  data: Record<string, unknown>;
  buffers: number[][];
}

/** A comm host that records what widgets send and lets the test play the frontend. */
function recordingHost() {
  const comms: { id: string; open: Record<string, unknown>; sent: Sent[]; closed: boolean; deliver(msg: Partial<CommMessage>): unknown; closeFromFrontend(): void }[] = [];
  const bytes = (bs: BufferLike[] = []) => bs.map((b) => Array.from(new Uint8Array(ArrayBuffer.isView(b) ? b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) : b)));
  const host: CommHost = {
    registerTarget: () => undefined,
    unregisterTarget: () => undefined,
    open(_target, data) {
      const onMessage: ((m: CommMessage) => unknown)[] = [];
      const onClose: ((m: CommMessage) => unknown)[] = [];
      const record = {
        id: `c${comms.length}`,
        open: data,
        sent: [] as Sent[],
        closed: false,
        deliver: (msg: Partial<CommMessage>) => onMessage.map((h) => h({ data: {}, metadata: {}, buffers: [], ...msg })),
        closeFromFrontend() {
          record.closed = true;
          onClose.forEach((h) => h({ data: {}, metadata: {}, buffers: [] }));
        },
      };
      comms.push(record);
      const comm: Comm = {
        commId: record.id,
        targetName: "jupyter.widget",
        get closed() {
          return record.closed;
        },
        send: (d = {}, b) => void record.sent.push({ data: d, buffers: bytes(b) }),
        close: () => void (record.closed = true),
        onMessage: (h) => void onMessage.push(h),
        onClose: (h) => void onClose.push(h),
      };
      return comm;
    },
  };
  return { host, comms };
}

describe("widget wire forms (recording comm host)", function () {
  let saved: CommHost | undefined;
  let recorded: ReturnType<typeof recordingHost>;

  beforeEach(() => {
    saved = commHost();
    recorded = recordingHost();
    setCommHost(recorded.host);
  });
  afterEach(() => setCommHost(saved));

  it("splits binary values out by buffer_paths and puts received ones back", function () {
    const split = splitBuffers({ a: new Uint8Array([1, 2]), b: { c: [0, new Float32Array([1]).buffer] }, d: 3 });
    expect(split.state).to.deep.equal({ b: { c: [0, null] }, d: 3 });
    expect(split.buffer_paths).to.deep.equal([["a"], ["b", "c", 1]]);
    const joined = joinBuffers({ ...split.state }, split.buffer_paths, split.buffers);
    expect(Array.from(joined.a as Uint8Array)).to.deep.equal([1, 2]);
    expect(() => joinBuffers({}, [["a"]], [])).to.throw(/must list one path per buffer \(0 came\)/);
  });

  it("passes custom messages with buffers both ways", function () {
    const button = new widgets.Button();
    const comm = recorded.comms.find((c) => c.id === button.modelId)!;
    const got: unknown[] = [];
    button.onMessage((content, buffers) => void got.push([content, buffers.map((b) => Array.from(b))]));
    comm.deliver({ data: { method: "custom", content: { kind: "ping" } }, buffers: [new Uint8Array([7])] });
    expect(got).to.deep.equal([[{ kind: "ping" }, [[7]]]]);
    button.send({ kind: "pong" }, [new Uint8Array([8, 9])]);
    expect(comm.sent.at(-1)).to.deep.equal({ data: { method: "custom", content: { kind: "pong" } }, buffers: [[8, 9]] });
  });

  it("resolves IPY_MODEL references a frontend sends, and refuses unknown ones", function () {
    const a = new widgets.Label({ value: "a" });
    const b = new widgets.Label({ value: "b" });
    const box = new widgets.VBox([a]);
    const comm = recorded.comms.find((c) => c.id === box.modelId)!;
    expect(comm.open.state).to.include.keys("children");
    comm.deliver({ data: { method: "update", state: { children: [`IPY_MODEL_${b.modelId}`, `IPY_MODEL_${a.modelId}`] }, buffer_paths: [] } });
    expect(box.children).to.deep.equal([b, a]);
    expect(() => comm.deliver({ data: { method: "update", state: { children: ["IPY_MODEL_nope"] }, buffer_paths: [] } })).to.throw(/children: no open widget IPY_MODEL_nope/);
    expect(box.children).to.deep.equal([b, a]);
  });

  it("closes with its own layout and style; a close from the frontend marks it closed", function () {
    const slider = new widgets.IntSlider();
    slider.close();
    expect(recorded.comms.map((c) => c.closed)).to.deep.equal([true, true, true]);
    expect(() => new widgets.IntSlider({ value: 0.5 })).to.throw(/must be an integer/);
    expect(recorded.comms.map((c) => c.closed), "the refused slider's layout and style are closed too").to.deep.equal([true, true, true, true, true]);
    const other = new widgets.Checkbox();
    recorded.comms.find((c) => c.id === other.modelId)!.closeFromFrontend();
    expect(other.closed).to.equal(true);
    expect(() => (other.value = true)).to.throw(/closed/);
  });
});
