/** The figure builders take what lib/inspect and lib/train hand out, unchanged. */
import { expect } from "chai";
import type { GradientsThroughTimeData, HiddenStatesData } from "../../lib/inspect/types";
import { TrainingHistory } from "../../lib/train/history";
import { DISPLAY } from "../../lib/runtime";
import {
  PLOTLY_MIME,
  gateActivationsFigure,
  gradientHeatmapFigure,
  gradientNormsFigure,
  hiddenStatesFigure,
  jacobianNormsFigure,
  lossFigure,
} from "../../lib/viz";

describe("viz/seams: figures from inspect/ and train/ data", () => {
  const gtt: GradientsThroughTimeData = {
    layers: ["lstm"],
    timeSteps: 3,
    norms: [[0.01, 0.1, 1]],
    ratio: [0.01],
    verdict: "lstm: vanishing",
    jacobianNorms: [[0.3, 0.3, 0.3]],
  };

  it("draws a TrainingHistory's loss and its gradient records", () => {
    const history = new TrainingHistory();
    history.record(1, 4, 1);
    history.record(2, 3, 1);
    history.gradientsThroughTime.push({ step: 2, data: gtt });
    const loss = lossFigure(history)[DISPLAY]()[PLOTLY_MIME] as { data: { y: number[] }[] };
    expect(loss.data[0].y).to.deep.equal([4, 3]);
    const heat = gradientHeatmapFigure(history.gradientsThroughTime)[DISPLAY]()[PLOTLY_MIME] as { data: { z: number[][] }[] };
    expect(heat.data[0].z).to.deep.equal([[-2, -1, 0]]);
  });

  it("draws gradients through time, Jacobians, hidden states and gates as inspect/ returns them", () => {
    expect(String(gradientNormsFigure(gtt)[DISPLAY]()["text/plain"])).to.contain("vanishing");
    expect(String(jacobianNormsFigure(gtt)[DISPLAY]()["text/plain"])).to.contain("mean lstm 0.3");
    const hidden: HiddenStatesData = {
      tokens: ["a", "b"],
      states: [[0.1, 0.2], [0.3, 0.4]],
      layer: "lstm",
      gates: { forget: [[0.9, 0.8], [0.7, 0.6]] },
    };
    expect(String(hiddenStatesFigure(hidden)[DISPLAY]()["text/plain"])).to.contain("2 steps × 2 units");
    expect(String(gateActivationsFigure(hidden)[DISPLAY]()["text/plain"])).to.contain("forget mean 0.75");
  });
});
