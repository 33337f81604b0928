/**
 * seqlab run keeps the widgets' last state in the notebook's metadata (the
 * application/vnd.jupyter.widget-state+json convention) and the HTML page shows the widgets
 * from it: an inspector as its plotly slider, other widgets drawn at their last values.
 */
import { expect } from "chai";
import * as fs from "fs";
import { notebookToHtml } from "../../kernel/runner/html";
import type { CodeCell } from "../../kernel/runner/notebook";
import { runNotebook } from "../../kernel/runner/run-notebook";
import { WidgetStateCollector, type WidgetStateMetadata } from "../../kernel/runner/widget-state";
import { CLI, code, notebook } from "./helpers";

const STATE = "application/vnd.jupyter.widget-state+json";
const VIEW = "application/vnd.jupyter.widget-view+json";

describe("runner: widget state", function () {
  this.timeout(120000);

  it("follows comm_open, update and close: the last state of each open model", () => {
    const widgets = new WidgetStateCollector();
    const open = (id: string, state: Record<string, unknown>) => widgets.handle({ msg_type: "comm_open", content: { comm_id: id, target_name: "jupyter.widget", data: { state, buffer_paths: [] } } });
    open("a", { _model_name: "IntSliderModel", _model_module: "@jupyter-widgets/controls", _model_module_version: "2.0.0", value: 1 });
    open("b", { _model_name: "ButtonModel", _model_module: "@jupyter-widgets/controls", _model_module_version: "2.0.0" });
    widgets.handle({ msg_type: "comm_open", content: { comm_id: "c", target_name: "other.target", data: {} } });
    widgets.handle({ msg_type: "comm_msg", content: { comm_id: "a", data: { method: "update", state: { value: 5 }, buffer_paths: [] } } });
    widgets.handle({ msg_type: "comm_msg", content: { comm_id: "a", data: { method: "custom", content: { value: 9 } } } });
    widgets.handle({ msg_type: "comm_close", content: { comm_id: "b", data: {} } });
    expect(widgets.metadata()).to.deep.equal({
      version_major: 2,
      version_minor: 0,
      state: { a: { model_name: "IntSliderModel", model_module: "@jupyter-widgets/controls", model_module_version: "2.0.0", state: { _model_name: "IntSliderModel", _model_module: "@jupyter-widgets/controls", _model_module_version: "2.0.0", value: 5 } } },
    });
    expect(new WidgetStateCollector().metadata()).to.equal(undefined);
  });

  it("a run with the seqlab kernel saves the state and the page shows the widgets at their last values", async function () {
    if (!fs.existsSync(CLI)) this.skip();
    const nb = notebook([
      code(`import { widgets } from "seqlab";
const n = new widgets.IntSlider({ description: "n", min: 0, max: 10, value: 3 });
const inter = widgets.interact(({ k }: { k: string }) => console.log("chose " + k), { k: ["lstm", "gru"] });
await inter.settled();
new widgets.VBox([n, new widgets.Button({ description: "Go" })])`),
      code(`n.value = 7;
inter.controls.k.value = "gru";
await inter.settled();`),
    ]);
    const run = await runNotebook(nb, {});
    expect(run.failure).to.equal(undefined);
    const saved = (run.notebook.metadata.widgets as Record<string, WidgetStateMetadata>)[STATE];
    const models = Object.values(saved.state);
    expect(models.find((m) => m.model_name === "IntSliderModel")!.state).to.include({ description: "n", value: 7 });
    const output = models.find((m) => m.model_name === "OutputModel")!;
    expect(output.state.outputs).to.deep.equal([{ output_type: "stream", name: "stdout", text: "chose gru\n" }]);
    // Every view shown refers to a saved model (nbconvert draws those).
    const views = (run.notebook.cells as CodeCell[]).flatMap((c) => c.outputs).map((o) => (o as { data?: Record<string, { model_id: string }> }).data?.[VIEW]?.model_id).filter(Boolean);
    expect(views).to.have.length(2);
    for (const id of views) expect(saved.state).to.have.property(id!);

    const page = notebookToHtml(run.notebook, "t");
    expect(page).to.contain(`<script type="${STATE}">`);
    expect(page).to.contain('<input type="range" disabled min="0" max="10" step="1" value="7"> <output>7</output>');
    expect(page).to.contain("<button disabled>Go</button>");
    expect(page).to.match(/<option>lstm<\/option><option selected>gru<\/option>/);
    expect(page).to.contain("chose gru");
  });
});
