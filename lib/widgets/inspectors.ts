/**
 * The inspectors you scrub (sl.widgets.gradientExplorer, attentionExplorer,
 * hiddenStateExplorer): lib/inspect's measurements drawn by lib/viz, one figure per
 * position behind a slider or dropdown (scrubber.ts). Show one with display(x) or as a
 * cell's value; the magics %gradients --interactive and %attention --interactive call the
 * first two.
 */
import type * as tf from "@tensorflow/tfjs";
import { hiddenStates, type HiddenStatesQuery } from "../inspect/hidden";
import type { GradientsThroughTimeData } from "../inspect/types";
import { attentionFigure, type AttentionWeights } from "../viz/attention";
import { gradientStepFigure } from "../viz/gradients";
import { hiddenStepFigure } from "../viz/hidden";
import { scrubber, type Scrubber } from "./scrubber";

/**
 * A slider over the training steps at which gradients through time were recorded (a
 * TrainingHistory's gradientsThroughTime, from %%train --every N or trainModel's
 * gradientsThroughTime: { every: N }); each position draws ‖∂L/∂h_t‖ through time and the
 * per-unit heatmap for that step. Starts at the last record.
 */
export function gradientExplorer(records: readonly { step: number; data: GradientsThroughTimeData }[], options: { layer?: number | string } = {}): Scrubber {
  if (!Array.isArray(records) || records.length === 0) {
    throw new RangeError("gradientExplorer: no gradient records; record them while training (%%train --every N, or trainModel's gradientsThroughTime: { every: N })");
  }
  const layers = records[0].data.layers;
  const layer = options.layer ?? 0;
  if (!(typeof layer === "string" ? layers.includes(layer) : Number.isInteger(layer) && layer >= 0 && layer < layers.length)) {
    throw new RangeError(`gradientExplorer: no layer ${JSON.stringify(layer)}; the records have ${layers.join(", ")}`);
  }
  const old = records.find((r) => !r.data.unitNorms);
  if (old) throw new TypeError(`gradientExplorer: the record of step ${old.step} has no per-unit norms (made by an older seqlab); train again with --every to record them`);
  return scrubber({
    description: "train step",
    labels: records.map((r) => `step ${r.step}`),
    values: records.map((r) => r.step),
    figureAt: (i) => gradientStepFigure(records[i].data, { layer, step: records[i].step }),
  });
}

/** A dropdown of examples (labelled by their source text); the attention heatmap follows it. */
export function attentionExplorer(examples: readonly AttentionWeights[], options: { title?: string } = {}): Scrubber {
  if (!Array.isArray(examples) || examples.length === 0) throw new RangeError("attentionExplorer: no examples; pass [{ source, target, weights }, ...]");
  // Repeated sources still need distinct labels.
  const labels = examples.map((e, i) => {
    const text = Array.isArray(e?.source) ? e.source.join(" ") : `example ${i + 1}`;
    return examples.slice(0, i).some((o) => Array.isArray(o?.source) && o.source.join(" ") === text) ? `${text} (${i + 1})` : text;
  });
  examples.forEach((e) => attentionFigure(e)); // bad data is refused now, not in the output later
  return scrubber({
    description: "example",
    control: "dropdown",
    labels,
    figureAt: (i) => attentionFigure(examples[i], { title: options.title ?? `Attention: ${labels[i]}` }),
  });
}

/**
 * A slider over the time steps of `text`: each position shows every unit's activation of one
 * recurrent layer (sl.hiddenStates) with the character there highlighted in the text.
 */
export async function hiddenStateExplorer(model: tf.LayersModel, text: string | number[], options: HiddenStatesQuery = {}): Promise<Scrubber> {
  const states = await hiddenStates(model, text, { ...options, gates: false });
  const tokens = states.tokens ?? states.states.map((_, t) => String(t));
  return scrubber({
    description: "time step",
    labels: tokens.map((token, t) => `t=${t} ${JSON.stringify(token)}`),
    start: 0,
    figureAt: (t) => hiddenStepFigure(states, t),
  });
}
