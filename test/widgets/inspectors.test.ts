/**
 * The inspectors you scrub, without a kernel: moving the control redraws the figure for
 * that position from the measured data, and the display carries a slider figure (plotly
 * frames) with the same data for frontends without widgets.
 */
import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { widgets } from "../../lib";
import { hiddenStates } from "../../lib/inspect";
import { buildLabModel } from "../../lib/nn";
import { DISPLAY, type MimeBundle } from "../../lib/runtime";
import { Vocabulary } from "../../lib/text";
import { trainModel } from "../../lib/train";
import { PLOTLY_MIME } from "../../lib/viz";
import { thinned } from "../../lib/viz/frames";

type Spec = { data: Record<string, unknown>[]; layout: Record<string, any>; frames?: { name: string; data: Record<string, unknown>[] }[] };

/** The plotly figure an inspector's Output shows now. */
function shownFigure(inspector: widgets.Scrubber): Spec {
  const items = inspector.output.outputs.filter((o) => o.output_type === "display_data");
  expect(items, JSON.stringify(inspector.output.outputs).slice(0, 300)).to.have.length(1);
  return (items[0] as { data: MimeBundle }).data[PLOTLY_MIME] as Spec;
}

const bundleOf = (inspector: widgets.Scrubber) => inspector[DISPLAY]();
const log10s = (row: number[]) => row.map((v) => (v > 0 ? Math.log10(v) : null));

describe("inspectors you scrub (no kernel)", function () {
  this.timeout(60000);
  const vocab = Vocabulary.fromText("abcd");
  let model: tf.LayersModel;

  before(function () {
    model = buildLabModel({ vocabSize: 4, embeddingDim: 3, units: 5, seed: 3 });
    model.predict(tf.zeros([1, 1], "int32"));
  });

  after(function () {
    model.dispose();
  });

  it("gradientExplorer: a slider over the recorded training steps redraws that step's norm curve and per-unit heatmap", async function () {
    const batch = { x: [[0, 1, 2, 3, 1, 2]], y: [[1, 2, 3, 1, 2, 0]] };
    const { history } = await trainModel(model, { batches: [batch], steps: 6, optimizer: "adam", learningRate: 0.1, gradientsThroughTime: { every: 2 } });
    const records = history.gradientsThroughTime;
    const explorer = widgets.gradientExplorer(records);
    await explorer.settled();
    const slider = explorer.control as widgets.IntSlider;
    expect([slider.min, slider.max, slider.step, slider.value, slider.description]).to.deep.equal([2, 6, 2, 6, "train step"]);
    const atLast = shownFigure(explorer);
    expect(atLast.layout.title.text).to.contain("at training step 6");
    expect(atLast.data[0].y).to.deep.equal(records[2].data.norms[0]);

    slider.value = 2;
    await explorer.settled();
    const atFirst = shownFigure(explorer);
    expect(atFirst.layout.title.text).to.contain("at training step 2");
    expect(atFirst.data[0].y).to.deep.equal(records[0].data.norms[0]);
    // units × time: row u holds unit u's norm at each t.
    const perUnit = records[0].data.unitNorms![0];
    expect(atFirst.data[1].z).to.deep.equal([0, 1, 2, 3, 4].map((u) => log10s(perUnit.map((row) => row[u]))));
    // Training changed the weights, so the steps' curves differ: the redraw is not the same picture.
    expect(atFirst.data[0].y).to.not.deep.equal(atLast.data[0].y);

    // Without widgets: one frame per record, a slider step per frame, the same numbers.
    const fallback = bundleOf(explorer)[PLOTLY_MIME] as Spec;
    expect(fallback.frames!.map((f) => f.name)).to.deep.equal(["step 2", "step 4", "step 6"]);
    expect(fallback.layout.sliders[0].steps.map((s: { args: unknown[] }) => s.args[0])).to.deep.equal([["step 2"], ["step 4"], ["step 6"]]);
    expect(fallback.frames![1].data[0].y).to.deep.equal(records[1].data.norms[0]);
    expect(String(bundleOf(explorer)["text/html"])).to.contain('"frames":[');
    explorer.close();
  });

  it("gradientExplorer refuses an empty history and an unknown layer, saying what to do", function () {
    expect(() => widgets.gradientExplorer([])).to.throw(/no gradient records; record them while training \(%%train --every N/);
    const record = { step: 1, data: { layers: ["lstm"], timeSteps: 1, norms: [[1]], unitNorms: [[[1]]], ratio: [1], verdict: "" } };
    expect(() => widgets.gradientExplorer([record], { layer: "gru" })).to.throw(/no layer "gru"; the records have lstm/);
    const old = { step: 1, data: { ...record.data, unitNorms: undefined } };
    expect(() => widgets.gradientExplorer([old])).to.throw(/step 1 has no per-unit norms/);
  });

  it("attentionExplorer: a dropdown of examples; the heatmap follows the choice", async function () {
    const examples = [
      { source: ["one", "two"], target: ["1", "2"], weights: [[0.9, 0.1], [0.2, 0.8]] },
      { source: ["three"], target: ["3", "<eos>"], weights: [[1], [1]] },
    ];
    const explorer = widgets.attentionExplorer(examples);
    await explorer.settled();
    const dropdown = explorer.control as widgets.Dropdown;
    expect(dropdown.options.map(([label]) => label)).to.deep.equal(["one two", "three"]);
    expect(shownFigure(explorer).data[0].z).to.deep.equal(examples[0].weights);
    dropdown.value = "three";
    await explorer.settled();
    expect(shownFigure(explorer).data[0].z).to.deep.equal(examples[1].weights);
    expect(() => widgets.attentionExplorer([{ source: ["a"], target: ["b"], weights: [[1, 2]] }])).to.throw(/weights\[0\] has 2 entries but 1 were expected/);
    explorer.close();
  });

  it("hiddenStateExplorer: a slider over the text's time steps shows each unit's activation there, the character highlighted", async function () {
    const text = "abcdab";
    const states = await hiddenStates(model, text, { vocab, gates: false });
    const explorer = await widgets.hiddenStateExplorer(model, text, { vocab });
    await explorer.settled();
    const slider = explorer.control as widgets.IntSlider;
    expect([slider.min, slider.max, slider.value]).to.deep.equal([0, 5, 0]);
    slider.value = 3;
    await explorer.settled();
    const figure = shownFigure(explorer);
    expect(figure.data[0].y).to.deep.equal(states.states[3]);
    expect(figure.layout.title.text).to.contain('abc<span style="color:#d62728"><b>[d]</b></span>ab');
    expect((bundleOf(explorer)[PLOTLY_MIME] as Spec).frames).to.have.length(6);
    explorer.close();
  });

  it("a slider figure keeps at most 60 evenly spread positions, the first and last among them", function () {
    const kept = thinned(200);
    expect([kept.length, kept[0], kept[59], new Set(kept).size]).to.deep.equal([60, 0, 199, 60]);
    expect(thinned(5)).to.deep.equal([0, 1, 2, 3, 4]);
  });
});
