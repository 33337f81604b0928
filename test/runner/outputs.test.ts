import { expect } from "chai";
import type { CodeCell } from "../../kernel/runner/notebook";
import { OutputCollector } from "../../kernel/runner/outputs";

function cell(): CodeCell {
  return { cell_type: "code", id: "c", source: "", metadata: {}, execution_count: null, outputs: [] };
}

describe("runner: OutputCollector", () => {
  it("merges consecutive stream text of one name and keeps stdout/stderr order", () => {
    const c = cell();
    const col = new OutputCollector();
    col.begin(c);
    col.handle({ msg_type: "stream", content: { name: "stdout", text: "a\n" } });
    col.handle({ msg_type: "stream", content: { name: "stdout", text: "b\n" } });
    col.handle({ msg_type: "stream", content: { name: "stderr", text: "warn\n" } });
    col.handle({ msg_type: "stream", content: { name: "stdout", text: "c\n" } });
    expect(c.outputs).to.deep.equal([
      { output_type: "stream", name: "stdout", text: "a\nb\n" },
      { output_type: "stream", name: "stderr", text: "warn\n" },
      { output_type: "stream", name: "stdout", text: "c\n" },
    ]);
  });

  it("stores execute_result with its execution count and error outputs", () => {
    const c = cell();
    const col = new OutputCollector();
    col.begin(c);
    col.handle({ msg_type: "execute_result", content: { execution_count: 7, data: { "text/plain": "42" }, metadata: {} } });
    col.handle({ msg_type: "error", content: { ename: "TypeError", evalue: "x", traceback: ["t1", "t2"] } });
    col.handle({ msg_type: "status", content: { execution_state: "idle" } });
    expect(c.outputs).to.deep.equal([
      { output_type: "execute_result", execution_count: 7, data: { "text/plain": "42" }, metadata: {} },
      { output_type: "error", ename: "TypeError", evalue: "x", traceback: ["t1", "t2"] },
    ]);
  });

  it("replaces a display in place on update_display_data, across cells, without adding outputs", () => {
    const first = cell();
    const second = cell();
    const col = new OutputCollector();
    col.begin(first);
    col.handle({ msg_type: "display_data", content: { data: { "text/plain": "step 0" }, metadata: {}, transient: { display_id: "p" } } });
    col.handle({ msg_type: "stream", content: { name: "stdout", text: "after\n" } });
    col.handle({ msg_type: "update_display_data", content: { data: { "text/plain": "step 1" }, metadata: {}, transient: { display_id: "p" } } });
    col.begin(second);
    col.handle({ msg_type: "update_display_data", content: { data: { "text/plain": "step 2" }, metadata: { a: 1 }, transient: { display_id: "p" } } });
    col.handle({ msg_type: "update_display_data", content: { data: { "text/plain": "nobody" }, metadata: {}, transient: { display_id: "unknown" } } });
    expect(first.outputs).to.deep.equal([
      { output_type: "display_data", data: { "text/plain": "step 2" }, metadata: { a: 1 } },
      { output_type: "stream", name: "stdout", text: "after\n" },
    ]);
    expect(second.outputs).to.deep.equal([]);
  });

  it("updates an execute_result that carries a display id, keeping its execution count", () => {
    const c = cell();
    const col = new OutputCollector();
    col.begin(c);
    col.handle({ msg_type: "execute_result", content: { execution_count: 3, data: { "text/plain": "v1" }, metadata: {}, transient: { display_id: "r" } } });
    col.handle({ msg_type: "update_display_data", content: { data: { "text/plain": "v2" }, metadata: {}, transient: { display_id: "r" } } });
    expect(c.outputs).to.deep.equal([{ output_type: "execute_result", execution_count: 3, data: { "text/plain": "v2" }, metadata: {} }]);
  });

  it("clear_output clears at once, and with wait=true only when the next output arrives", () => {
    const c = cell();
    const col = new OutputCollector();
    col.begin(c);
    col.handle({ msg_type: "stream", content: { name: "stdout", text: "old\n" } });
    col.handle({ msg_type: "clear_output", content: { wait: true } });
    expect(c.outputs).to.have.length(1);
    col.handle({ msg_type: "stream", content: { name: "stdout", text: "new\n" } });
    expect(c.outputs).to.deep.equal([{ output_type: "stream", name: "stdout", text: "new\n" }]);
    col.handle({ msg_type: "clear_output", content: { wait: false } });
    expect(c.outputs).to.deep.equal([]);
    // wait=true with nothing after it keeps the last outputs (as frontends do)
    col.handle({ msg_type: "stream", content: { name: "stdout", text: "kept\n" } });
    col.handle({ msg_type: "clear_output", content: { wait: true } });
    expect(c.outputs).to.deep.equal([{ output_type: "stream", name: "stdout", text: "kept\n" }]);
  });

  it("a cleared display no longer receives updates", () => {
    const c = cell();
    const col = new OutputCollector();
    col.begin(c);
    col.handle({ msg_type: "display_data", content: { data: { "text/plain": "v1" }, metadata: {}, transient: { display_id: "d" } } });
    col.handle({ msg_type: "clear_output", content: { wait: false } });
    col.handle({ msg_type: "display_data", content: { data: { "text/plain": "other" }, metadata: {} } });
    col.handle({ msg_type: "update_display_data", content: { data: { "text/plain": "v2" }, metadata: {}, transient: { display_id: "d" } } });
    expect(c.outputs).to.deep.equal([{ output_type: "display_data", data: { "text/plain": "other" }, metadata: {} }]);
  });
});
