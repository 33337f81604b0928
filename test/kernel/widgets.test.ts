/**
 * Widgets over a real kernel (seqlab engine, TypeScript cells importing seqlab), as a
 * JupyterLab/ipywidgets 8 frontend sees them: comm_open with the full state (layout and style
 * models first), the widget view as a display, frontend updates echoed and observed,
 * kernel-side changes sent, request_state, Button clicks, and interact re-running.
 */
import { expect } from "chai";
import { JupyterClient, KernelProcess } from "../../kernel/jupyter-client";
import type { JupyterMessage } from "../../kernel/wire";
import { engineBuilt, engineDialect, startKernel } from "./helpers";

const VIEW = "application/vnd.jupyter.widget-view+json";

const resultText = (iopub: JupyterMessage[]): string | undefined =>
  (iopub.find((m) => m.header.msg_type === "execute_result")?.content.data as Record<string, string> | undefined)?.["text/plain"];

const ofType = (iopub: JupyterMessage[], type: string) => iopub.filter((m) => m.header.msg_type === type);
const dataOf = (m: JupyterMessage) => m.content.data as Record<string, unknown>;
const stateOf = (m: JupyterMessage) => dataOf(m).state as Record<string, unknown>;

/** The IntSlider state ipywidgets 8 sends for IntSlider(value=3, min=0, max=10, description="n"). */
const sliderState = (layout: string, style: string) => ({
  _dom_classes: [],
  _model_module: "@jupyter-widgets/controls",
  _model_module_version: "2.0.0",
  _model_name: "IntSliderModel",
  _view_count: null,
  _view_module: "@jupyter-widgets/controls",
  _view_module_version: "2.0.0",
  _view_name: "IntSliderView",
  behavior: "drag-tap",
  continuous_update: true,
  description: "n",
  description_allow_html: false,
  disabled: false,
  layout: `IPY_MODEL_${layout}`,
  max: 10,
  min: 0,
  orientation: "horizontal",
  readout: true,
  readout_format: "d",
  step: 1,
  style: `IPY_MODEL_${style}`,
  tabbable: null,
  tooltip: null,
  value: 3,
});

describe("widgets over a real kernel (TypeScript cells)", function () {
  this.timeout(120000);
  let kernel: KernelProcess;
  let client: JupyterClient;
  let sliderId: string;

  /** Runs a cell that must succeed; returns its iopub messages. */
  async function run(code: string): Promise<JupyterMessage[]> {
    const { reply, iopub } = await client.execute(code, { timeoutMs: 100000 });
    expect(reply.content.status, `${code}\n${JSON.stringify(reply.content)}`).to.equal("ok");
    return iopub;
  }

  /** Sends a comm_msg from the "frontend" and returns the iopub messages it caused (busy to idle). */
  async function fromFrontend(commId: string, data: Record<string, unknown>): Promise<JupyterMessage[]> {
    const msg = client.message("comm_msg", { comm_id: commId, data });
    client.sendMessage("shell", msg);
    return client.idleOf(msg.header.msg_id);
  }

  before(async function () {
    if (!engineBuilt()) throw new Error("dist/kernel/engine/index.js is missing: build the engine (npm run build)");
    kernel = await startKernel(engineDialect);
    client = kernel.client;
    await run(`import { widgets } from "seqlab";`);
  });

  after(async function () {
    await kernel?.shutdown();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`kernel output:\n${kernel.log}`);
  });

  it("opening a slider sends its layout and style models first, then its full state, and shows the widget view", async function () {
    const iopub = await run(`const slider = new widgets.IntSlider({ value: 3, min: 0, max: 10, description: "n" });\nslider`);
    const opens = ofType(iopub, "comm_open");
    expect(opens.map((m) => stateOf(m)._model_name)).to.deep.equal(["LayoutModel", "SliderStyleModel", "IntSliderModel"]);
    for (const open of opens) {
      expect(open.content.target_name).to.equal("jupyter.widget");
      expect(open.metadata).to.deep.equal({ version: "2.1.0" });
      expect(dataOf(open).buffer_paths).to.deep.equal([]);
    }
    const [layout, style, slider] = opens.map((m) => String(m.content.comm_id));
    sliderId = slider;
    expect(stateOf(opens[2])).to.deep.equal(sliderState(layout, style));
    expect(stateOf(opens[0])).to.include({ _model_module: "@jupyter-widgets/base", _model_module_version: "2.0.0", _view_name: "LayoutView", width: null, border_top: null });
    expect(stateOf(opens[1])).to.deep.equal({
      _model_module: "@jupyter-widgets/controls", _model_module_version: "2.0.0", _model_name: "SliderStyleModel", _view_count: null,
      _view_module: "@jupyter-widgets/base", _view_module_version: "2.0.0", _view_name: "StyleView", description_width: "", handle_color: null,
    });
    const result = ofType(iopub, "execute_result")[0].content.data as Record<string, unknown>;
    expect(result[VIEW]).to.deep.equal({ model_id: slider, version_major: 2, version_minor: 1 });
    expect(result["text/plain"]).to.equal("IntSlider(description='n', max=10, value=3)");

    const shown = await run(`display(slider)`);
    expect((ofType(shown, "display_data")[0].content.data as Record<string, unknown>)[VIEW]).to.deep.equal({ model_id: slider, version_major: 2, version_minor: 1 });
    expect(ofType(shown, "comm_open")).to.have.length(0);
  });

  it("a frontend update sets the value, is echoed first, fires observe; an out-of-range value is clamped and sent back", async function () {
    await run(`const seen: unknown[] = [];\nslider.observe("value", (c) => { seen.push([c.name, c.old, c.new, c.owner === slider]); });`);
    const iopub = await fromFrontend(sliderId, { method: "update", state: { value: 7 }, buffer_paths: [] });
    expect(ofType(iopub, "comm_msg").map((m) => m.content.data)).to.deep.equal([{ method: "echo_update", state: { value: 7 }, buffer_paths: [] }]);
    expect(resultText(await run(`JSON.stringify([slider.value, seen])`))).to.equal(`'[7,[["value",3,7,true]]]'`);

    const clamped = await fromFrontend(sliderId, { method: "update", state: { value: 99 }, buffer_paths: [] });
    expect(ofType(clamped, "comm_msg").map((m) => m.content.data)).to.deep.equal([
      { method: "echo_update", state: { value: 99 }, buffer_paths: [] },
      { method: "update", state: { value: 10 }, buffer_paths: [] },
    ]);
    expect(resultText(await run(`slider.value`))).to.equal("10");
  });

  it("a kernel-side change sends an update parented to the cell; request_state is answered with the full state", async function () {
    const iopub = await run(`slider.value = 5;`);
    const updates = ofType(iopub, "comm_msg");
    expect(updates.map((m) => [m.content.comm_id, m.content.data])).to.deep.equal([[sliderId, { method: "update", state: { value: 5 }, buffer_paths: [] }]]);

    const answer = await fromFrontend(sliderId, { method: "request_state" });
    const full = ofType(answer, "comm_msg")[0];
    expect(dataOf(full).method).to.equal("update");
    expect(stateOf(full)).to.include({ _model_name: "IntSliderModel", value: 5, max: 10, description: "n" });
    expect(Object.keys(stateOf(full))).to.have.length(Object.keys(sliderState("", "")).length);
  });

  it("a Button press (custom {event: 'click'}) calls onClick; refused input says what was wrong and keeps the state", async function () {
    const opened = await run(`const clicks: string[] = [];\nconst button = new widgets.Button({ description: "go" });\nbutton.onClick((b) => { clicks.push(b.description); });\nbutton`);
    const buttonOpen = ofType(opened, "comm_open").find((m) => stateOf(m)._model_name === "ButtonModel")!;
    expect(ofType(opened, "comm_open").map((m) => stateOf(m)._model_name)).to.deep.equal(["LayoutModel", "ButtonStyleModel", "ButtonModel"]);
    await fromFrontend(String(buttonOpen.content.comm_id), { method: "custom", content: { event: "click" } });
    expect(resultText(await run(`JSON.stringify(clicks)`))).to.equal(`'["go"]'`);

    const bad = await fromFrontend(sliderId, { method: "update", state: { value: "x" }, buffer_paths: [] });
    const stderr = ofType(bad, "stream").map((m) => String(m.content.text)).join("");
    expect(stderr).to.match(/IntSlider\.value must be a number, got "x"/);
    expect(ofType(bad, "comm_msg").map((m) => m.content.data)).to.deep.include({ method: "update", state: { value: 5 }, buffer_paths: [] });
    const { reply } = await client.execute(`slider.value = 2.5`);
    expect(String(reply.content.evalue)).to.match(/IntSlider\.value must be an integer, got 2\.5/);
    expect(resultText(await run(`slider.value`))).to.equal("5");
  });

  it("interact shows controls and an Output, re-runs on each change into the Output, and keeps only the newest run", async function () {
    const iopub = await run(`let release = () => {};
const gate = new Promise<void>((r) => (release = r));
const inter = widgets.interact(async ({ n }: { n: number }) => {
  if (n === 1) await gate;
  if (n === 3) release();
  console.log("n is", n);
  return n * 10;
}, { n: [0, 4] });
await inter.settled();`);
    const opens = ofType(iopub, "comm_open");
    const control = opens.find((m) => stateOf(m)._model_name === "IntSliderModel")!;
    const output = opens.find((m) => stateOf(m)._model_name === "OutputModel")!;
    const box = opens.find((m) => stateOf(m)._model_name === "VBoxModel")!;
    expect(stateOf(control)).to.include({ description: "n", min: 0, max: 4, value: 2, step: 1 });
    expect(stateOf(output)).to.include({ _model_module: "@jupyter-widgets/output", _model_module_version: "1.0.0", _view_name: "OutputView", msg_id: "" });
    expect(stateOf(box).children).to.deep.equal([`IPY_MODEL_${control.content.comm_id}`, `IPY_MODEL_${output.content.comm_id}`]);
    expect((ofType(iopub, "display_data")[0].content.data as Record<string, Record<string, string>>)[VIEW].model_id).to.equal(box.content.comm_id);
    // The first run's print went to the Output, not to the cell.
    expect(ofType(iopub, "stream")).to.have.length(0);
    expect(resultText(await run(`JSON.stringify(inter.output.outputs)`))).to.equal(
      `'${JSON.stringify([{ output_type: "stream", name: "stdout", text: "n is 2\n" }, { output_type: "display_data", data: { "text/plain": "20" }, metadata: {} }]).replace(/\\n/g, "\\\\n")}'`,
    );

    const controlId = String(control.content.comm_id);
    const outputId = String(output.content.comm_id);
    await fromFrontend(controlId, { method: "update", state: { value: 1 }, buffer_paths: [] });
    const newest = await fromFrontend(controlId, { method: "update", state: { value: 3 }, buffer_paths: [] });
    const outputUpdates = ofType(newest, "comm_msg").filter((m) => m.content.comm_id === outputId);
    expect(stateOf(outputUpdates[outputUpdates.length - 1]).outputs).to.deep.equal([
      { output_type: "stream", name: "stdout", text: "n is 3\n" },
      { output_type: "display_data", data: { "text/plain": "30" }, metadata: {} },
    ]);
    // The older run (n = 1) ended after the newer one: its print and value were dropped.
    const final = await run(`await inter.settled();\nJSON.stringify(inter.output.outputs.map((o: any) => o.text ?? o.data["text/plain"]))`);
    expect(resultText(final)).to.equal(`'["n is 3\\\\n","30"]'`);
    expect(ofType(final, "comm_msg")).to.have.length(0);
  });

  it("the notebook's display(), clearOutput() and prints inside an Output capture go to the Output, also in a callback a frontend change runs", async function () {
    const iopub = await run(`const out = new widgets.Output();
await out.capture(() => {
  display(display.html("<b>dropped</b>"));
  clearOutput();
  display(display.html("<b>kept</b>"));
  console.log("printed");
});
const shows = widgets.interact(({ n }: { n: number }) => { display(display.markdown("n = " + n)); }, { n: [0, 4] });
await shows.settled();
JSON.stringify(out.outputs)`);
    const captured = [
      { output_type: "display_data", data: { "text/html": "<b>kept</b>", "text/plain": "<b>kept</b>" }, metadata: {} },
      { output_type: "stream", name: "stdout", text: "printed\n" },
    ];
    expect(resultText(iopub)).to.equal(`'${JSON.stringify(captured).replace(/\\n/g, "\\\\n")}'`);
    // Nothing reached the cell itself but the interact's own view.
    expect(ofType(iopub, "display_data").map((m) => Object.keys(dataOf(m)).sort())).to.deep.equal([[VIEW, "text/plain"]]);
    expect(ofType(iopub, "stream")).to.have.length(0);
    const opens = ofType(iopub, "comm_open");
    const control = String(opens.find((m) => stateOf(m)._model_name === "IntSliderModel")!.content.comm_id);
    // A change from the frontend runs the callback while no cell runs: display() still has a place to go.
    const changed = await fromFrontend(control, { method: "update", state: { value: 3 }, buffer_paths: [] });
    const shown = ofType(changed, "comm_msg").map((m) => stateOf(m)?.outputs).filter((o) => Array.isArray(o) && o.length > 0);
    expect(shown[shown.length - 1]).to.deep.equal([{ output_type: "display_data", data: { "text/markdown": "n = 3", "text/plain": "n = 3" }, metadata: {} }]);
  });

  it("%%train shows a Stop button; pressing it while training runs ends at a step boundary with weights and history kept", async function () {
    await run(`import * as sl from "seqlab";
const model = sl.buildLabModel({ vocabSize: 5, embeddingDim: 4, units: 4, seed: 1 });
model.build([null, 6]);
const batches = [{ x: sl.tf.tensor2d([[1, 2, 3, 4, 0, 1]], undefined, "int32"), y: sl.tf.tensor2d([[2, 3, 4, 0, 1, 2]], undefined, "int32") }];`);
    const cell = client.message("execute_request", { code: "%%train $model --data $batches --steps 1000000", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    const reply = client.replyTo(cell, 60000);
    client.sendMessage("shell", cell);
    const open = await client.waitForIopub(
      (m) => m.parent_header.msg_id === cell.header.msg_id && m.header.msg_type === "comm_open" && stateOf(m)._model_name === "ButtonModel",
      60000,
      "the Stop button",
    );
    expect(stateOf(open)).to.include({ description: "Stop", icon: "stop", button_style: "danger" });
    const buttonId = String(open.content.comm_id);
    client.sendMessage("shell", client.message("comm_msg", { comm_id: buttonId, data: { method: "custom", content: { event: "click" } } }));
    expect((await reply).content.status, "the cell ends normally after a Stop").to.equal("ok");
    const iopub = await client.idleOf(cell.header.msg_id);
    // The button is shown right after the progress bar's first draw.
    const displays = ofType(iopub, "display_data").map((m) => m.content.data as Record<string, unknown>);
    const barAt = displays.findIndex((d) => String(d["text/html"] ?? "").includes("seqlab-progress"));
    const buttonAt = displays.findIndex((d) => (d[VIEW] as { model_id?: string } | undefined)?.model_id === buttonId);
    expect([barAt >= 0, buttonAt]).to.deep.equal([true, barAt + 1]);
    const text = ofType(iopub, "stream").map((m) => String(m.content.text)).join("");
    expect(text).to.match(/Stop pressed: training stops after the current step/);
    expect(text).to.match(/trained steps 1–\d+: loss/);
    expect(ofType(iopub, "comm_close").map((m) => m.content.comm_id)).to.include(buttonId);
    // Its output is emptied, so a saved notebook keeps no view of the closed model.
    const buttonDisplay = ofType(iopub, "display_data").find((m) => (dataOf(m)[VIEW] as { model_id?: string } | undefined)?.model_id === buttonId)!;
    const displayId = (buttonDisplay.content.transient as Record<string, string>).display_id;
    const emptied = await client.waitForIopub((m) => m.header.msg_type === "update_display_data" && (m.content.transient as Record<string, string>).display_id === displayId, 10000, "the emptied output");
    expect(emptied.content.data).to.deep.equal({ "text/plain": "" });
    const kept = await run(`JSON.stringify([history.stopReason, history.steps.length === history.lastStep, history.lastStep > 0 && history.lastStep < 1000000])`);
    expect(resultText(kept)).to.equal(`'["interrupted",true,true]'`);
    await run(`const stoppedAt = history.lastStep;`);
    await run(`%%train $model --data $batches --steps 2`);
    expect(resultText(await run(`history.lastStep - stoppedAt`))).to.equal("2");
  });

  it("%generate --interactive shows temperature and top-k sliders and a Sample again button over an Output with the text", async function () {
    const iopub = await run(`const tokens = ["a", "b", "c", "d", "e"];\n%generate $model --vocab $tokens --start a --length 10 --temperature 0.5 --interactive`);
    const states = ofType(iopub, "comm_open").map(stateOf);
    expect(states.find((st) => st._model_name === "FloatSliderModel")).to.include({ description: "temperature", value: 0.5 });
    expect(states.find((st) => st._model_name === "IntSliderModel")).to.include({ description: "top-k", value: 0, max: 5 });
    const opens = ofType(iopub, "comm_open");
    const idOf = (name: string, description?: string) =>
      String(opens.find((m) => stateOf(m)._model_name === name && (description === undefined || stateOf(m).description === description))!.content.comm_id);
    const outputId = idOf("OutputModel");
    const againId = idOf("ButtonModel", "Sample again");
    const sampled = (after: JupyterMessage | undefined) =>
      client.waitForIopub((m) => {
        if (m.header.msg_type !== "comm_msg" || m.content.comm_id !== outputId || (after && m.parent_header.msg_id !== after.header.msg_id)) return false;
        const outputs = (stateOf(m)?.outputs ?? []) as { data?: Record<string, string> }[];
        return outputs.length === 1 && /^a[a-e]{10}$/.test(outputs[0].data?.["text/plain"] ?? "");
      }, 30000, "a sample in the Output");
    await sampled(undefined);
    const click = client.message("comm_msg", { comm_id: againId, data: { method: "custom", content: { event: "click" } } });
    client.sendMessage("shell", click);
    await sampled(click);
    const hotter = client.message("comm_msg", { comm_id: idOf("FloatSliderModel"), data: { method: "update", state: { value: 1.5 }, buffer_paths: [] } });
    client.sendMessage("shell", hotter);
    await sampled(hotter);
  });

  it("%gradients --interactive: moving the train-step slider from the frontend redraws the Output with that step's recorded gradients", async function () {
    await run(`%%train $model --data $batches --steps 4 --every 2 --history gh --fresh`);
    const iopub = await run(`%gradients $model --interactive --history $gh`);
    const opens = ofType(iopub, "comm_open");
    const slider = opens.find((m) => stateOf(m)._model_name === "IntSliderModel")!;
    const output = opens.find((m) => stateOf(m)._model_name === "OutputModel")!;
    expect(stateOf(slider)).to.include({ description: "train step", min: 2, max: 4, step: 2, value: 4 });
    // One display: the widget view, with the plotly slider figure (and its static picture) beside it for frontends without widgets.
    const shown = dataOf(ofType(iopub, "display_data")[0]);
    expect(Object.keys(shown).sort()).to.deep.equal([VIEW, "application/vnd.plotly.v1+json", "image/svg+xml", "text/html", "text/plain"]);
    expect((shown["application/vnd.plotly.v1+json"] as { frames: { name: string }[] }).frames.map((f) => f.name)).to.deep.equal(["step 2", "step 4"]);
    const titleOf = (outputs: unknown) => ((outputs as { data: Record<string, { layout: { title: { text: string } } }> }[])[0]?.data["application/vnd.plotly.v1+json"]?.layout.title.text ?? "");
    const expected = JSON.parse(resultText(await run(`JSON.stringify(gh.gradientsThroughTime.map((r) => r.data.norms[0]))`))!.slice(1, -1)) as number[][];
    const moved = await fromFrontend(String(slider.content.comm_id), { method: "update", state: { value: 2 }, buffer_paths: [] });
    const redraws = ofType(moved, "comm_msg").filter((m) => m.content.comm_id === output.content.comm_id && (stateOf(m)?.outputs as unknown[] | undefined)?.length);
    const last = stateOf(redraws[redraws.length - 1]).outputs as { data: Record<string, { data: { y: number[] }[] }> }[];
    expect(titleOf(last)).to.contain("at training step 2");
    expect(last[0].data["application/vnd.plotly.v1+json"].data[0].y).to.deep.equal(expected[0]);
  });
});
