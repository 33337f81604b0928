import { expect } from "chai";
import {
  Figure,
  PLOTLY_MIME,
  PlotlyLoader,
  attentionFigure,
  ema,
  selfAttentionFigure,
  embeddingFigure,
  gateActivationsFigure,
  gradientHeatmapFigure,
  gradientNormsFigure,
  hiddenStatesFigure,
  jacobianNormsFigure,
  lossFigure,
  pca,
  plotlyJsSource,
  resetPlotlyInjection,
  setPlotlyJsSource,
} from "../../lib/viz";
import { DISPLAY, MimeBundle } from "../../lib/runtime";

type Spec = { data: Record<string, unknown>[]; layout: Record<string, unknown>; config: Record<string, unknown> };

/** The bundle must hold all three views, and the plotly JSON must survive a JSON round trip. */
function bundleOf(fig: Figure): { bundle: MimeBundle; spec: Spec } {
  const bundle = fig[DISPLAY]();
  expect(Object.keys(bundle).filter((k) => k !== "image/svg+xml").sort()).to.deep.equal([PLOTLY_MIME, "text/html", "text/plain"].sort());
  const spec = JSON.parse(JSON.stringify(bundle[PLOTLY_MIME])) as Spec;
  expect(spec.data).to.be.an("array").that.is.not.empty;
  expect(spec.layout).to.be.an("object");
  expect(spec.config).to.be.an("object");
  expect(String(bundle["text/plain"]).length).to.be.within(10, 400);
  return { bundle, spec };
}

describe("viz/figures: plotly figures from plain data", () => {
  // Every figure here is built after plotly was already "injected", so HTML stays small.
  before(() => {
    resetPlotlyInjection();
    lossFigure({ steps: [0], loss: [1] })[DISPLAY]();
  });

  it("loss curve: raw and EMA-smoothed traces of the right length", () => {
    const steps = [1, 2, 3, 4, 5];
    const loss = [4, 3, 2.5, 2.2, 2];
    const { spec, bundle } = bundleOf(lossFigure({ steps, loss }));
    expect(spec.data).to.have.length(2);
    expect(spec.data[0].x).to.deep.equal(steps);
    expect(spec.data[0].y).to.deep.equal(loss);
    expect(spec.data[1].y).to.have.length(5);
    expect(String(bundle["text/plain"])).to.match(/5 steps .*last loss 2/);
  });

  it("thins long runs but keeps spikes and the last point", () => {
    const n = 100_000;
    const steps = Array.from({ length: n }, (_, i) => i + 1);
    const loss = steps.map((s) => 3 / Math.sqrt(s));
    loss[54_321] = 50; // a spike must survive thinning
    const { spec } = bundleOf(lossFigure({ steps, loss }, { maxPoints: 1000 }));
    const raw = spec.data[0] as { x: number[]; y: number[] };
    expect(raw.x.length).to.be.within(500, 1001);
    expect(raw.y).to.include(50);
    expect(raw.x[raw.x.length - 1]).to.equal(n);
    expect((spec.data[1] as { x: number[] }).x.length).to.equal(raw.x.length);
  });

  it("EMA is bias-corrected and skips non-finite values", () => {
    const out = ema([2, 2, 2], 0.9);
    out.forEach((v) => expect(v).to.be.closeTo(2, 1e-12));
    const withNaN = ema([1, NaN, 3], 0.5);
    expect(withNaN[1]).to.equal(1);
    expect(withNaN[2]).to.be.closeTo((0.25 * 1 + 0.5 * 3) / 0.75, 1e-12);
    expect(() => ema([1], 1)).to.throw(RangeError, /smoothing/);
  });

  it("loss curve rejects mismatched steps and loss", () => {
    expect(() => lossFigure({ steps: [1, 2], loss: [1] })).to.throw(RangeError, /steps has 2 entries but 1/);
    expect(() => lossFigure({ steps: [1], loss: ["a" as unknown as number] })).to.throw(TypeError, /loss\[0\]/);
  });

  it("non-finite numbers become null in the plotly JSON", () => {
    const { spec } = bundleOf(lossFigure({ steps: [1, 2], loss: [Infinity, 1] }, { smoothing: 0 }));
    expect((spec.data[0].y as unknown[])[0]).to.equal(null);
  });

  it("gradient norm through time: one log-scale line per layer over the time steps", () => {
    const g = {
      layers: ["lstm", "dense"],
      timeSteps: 4,
      norms: [
        [1e-4, 1e-3, 1e-2, 1e-1],
        [0.1, 0.2, 0.3, 0],
      ],
      ratio: [1e-3, 0.33],
      verdict: "vanishing: early steps get 1e-3 of the last",
    };
    const { spec, bundle } = bundleOf(gradientNormsFigure(g));
    expect(spec.data).to.have.length(2);
    expect(spec.data[0].x).to.deep.equal([0, 1, 2, 3]);
    expect(spec.data[1].y).to.deep.equal([0.1, 0.2, 0.3, null]);
    expect((spec.layout.yaxis as { type: string }).type).to.equal("log");
    expect(String(bundle["text/plain"])).to.contain("vanishing");
    expect(() => gradientNormsFigure({ ...g, norms: [[1, 2, 3, 4]] })).to.throw(RangeError, /norms has 1 rows but 2/);
    expect(() => gradientNormsFigure({ ...g, timeSteps: 5 })).to.throw(RangeError, /norms\[0\] has 4 entries but 5/);
  });

  it("gradient heatmap: training step × time step in log10", () => {
    const { spec } = bundleOf(gradientHeatmapFigure({ steps: [10, 20], norms: [[1, 10, 100], [0.1, 1, 0]] }));
    expect(spec.data[0].type).to.equal("heatmap");
    expect(spec.data[0].z).to.deep.equal([[0, 1, 2], [-1, 0, null]]);
    expect(spec.data[0].y).to.deep.equal([10, 20]);
  });

  it("gradient heatmap from the records a training run keeps, by layer name", () => {
    const data = (a: number) => ({ layers: ["l1", "l2"], timeSteps: 2, norms: [[a, a], [10 * a, 10 * a]], ratio: [1, 1], verdict: "stable" });
    const records = [{ step: 5, data: data(1) }, { step: 10, data: data(10) }];
    const { spec } = bundleOf(gradientHeatmapFigure(records, { layer: "l2" }));
    expect(spec.data[0].y).to.deep.equal([5, 10]);
    expect(spec.data[0].z).to.deep.equal([[1, 1], [2, 2]]);
    expect(() => gradientHeatmapFigure(records, { layer: "l3" })).to.throw(RangeError, /l1, l2/);
  });

  it("Jacobian norms taken from gradients-through-time data", () => {
    const { spec } = bundleOf(jacobianNormsFigure({ layers: ["a"], norms: [[5, 5]], jacobianNorms: [[0.5, 0.25]] }));
    expect(spec.data[0].y).to.deep.equal([0.5, 0.25]);
    expect(() => jacobianNormsFigure({ layers: ["a"] })).to.throw(TypeError, /jacobianNorms field is missing/);
  });

  it("Jacobian norms: lines plus the reference at 1", () => {
    const { spec } = bundleOf(jacobianNormsFigure({ layers: ["rnn"], norms: [[0.9, 0.8, 1.1]] }));
    expect(spec.data).to.have.length(2);
    expect(spec.data[0].y).to.deep.equal([0.9, 0.8, 1.1]);
    expect(spec.data[1].y).to.deep.equal([1, 1]);
  });

  it("hidden states: units × time heatmap with tokens as tick labels (repeats kept apart)", () => {
    const states = [
      [0.1, -0.2, 0.3],
      [0.4, 0.5, -0.6],
      [0.7, -0.8, 0.9],
      [0, 0, 0],
    ];
    const { spec, bundle } = bundleOf(hiddenStatesFigure({ tokens: ["a", "b", "a", "\n"], states }));
    expect(spec.data[0].z).to.deep.equal([
      [0.1, 0.4, 0.7, 0],
      [-0.2, 0.5, -0.8, 0],
      [0.3, -0.6, 0.9, 0],
    ]);
    const xaxis = spec.layout.xaxis as { tickvals: number[]; ticktext: string[] };
    expect(xaxis.tickvals).to.deep.equal([0, 1, 2, 3]);
    expect(xaxis.ticktext).to.deep.equal(["a", "b", "a", "⏎"]);
    expect(String(bundle["text/plain"])).to.contain("4 steps × 3 units");
    expect(() => hiddenStatesFigure({ tokens: ["a"], states })).to.throw(RangeError, /tokens has 1 labels but the data has 4/);
    expect(() => hiddenStatesFigure({ states: [[1, 2], [3]] })).to.throw(RangeError, /states\[1\] has 1 entries but 2/);
  });

  it("attention: [target][source] heatmap labelled with both token lists", () => {
    const a = { source: ["le", "chat"], target: ["the", "cat", "."], weights: [[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]] };
    const { spec } = bundleOf(attentionFigure(a));
    expect(spec.data[0].z).to.deep.equal(a.weights);
    expect([spec.data[0].zmin, spec.data[0].zmax]).to.deep.equal([0, 0.9]);
    expect((spec.layout.xaxis as { ticktext: string[] }).ticktext).to.deep.equal(["le", "chat"]);
    expect((spec.layout.yaxis as { ticktext: string[] }).ticktext).to.deep.equal(["the", "cat", "."]);
    expect(() => attentionFigure({ ...a, weights: [[1, 0]] })).to.throw(RangeError, /weights has 1 rows but 3/);
  });

  it("self-attention: one heatmap per head in a grid, sharing the colour scale, rows labelled as queries", () => {
    const head1 = [[1, 0, 0], [0.5, 0.5, 0], [0.2, 0.3, 0.5]];
    const head2 = [[1, 0, 0], [1, 0, 0], [0.6, 0.4, 0]];
    const { spec } = bundleOf(selfAttentionFigure({ tokens: ["X", ":", "1"], heads: [head1, head2] }, { title: "layer 1" }));
    expect(spec.data.map((t) => [t.type, t.xaxis, t.yaxis])).to.deep.equal([["heatmap", "x", "y"], ["heatmap", "x2", "y2"]]);
    expect(spec.data[1].z).to.deep.equal(head2);
    expect(spec.data.map((t) => [t.zmin, t.zmax])).to.deep.equal([[0, 1], [0, 1]]);
    expect(spec.layout.grid).to.deep.equal({ rows: 1, columns: 2, pattern: "independent" });
    expect((spec.layout.xaxis2 as { ticktext: string[]; title: { text: string } }).title.text).to.equal("key (head 2)");
    expect(String(spec.data[0].hovertemplate)).to.contain("query %{customdata[1]} ← key %{customdata[0]}");
    expect(() => selfAttentionFigure({ tokens: ["X", ":"], heads: [head1] })).to.throw(RangeError, /heads\[0\] has 3 rows but 2/);
    expect(() => selfAttentionFigure({ tokens: ["X"], heads: [] })).to.throw(TypeError, /non-empty array/);
  });

  it("gate activations: one heatmap per gate on its own band", () => {
    const gate = (v: number) => [[v, v], [v, v], [v, v]];
    const { spec, bundle } = bundleOf(gateActivationsFigure({ gates: { input: gate(0.2), forget: gate(0.9), output: gate(0.5) } }));
    expect(spec.data.map((d) => d.yaxis)).to.deep.equal(["y", "y2", "y3"]);
    expect(spec.layout.yaxis3).to.be.an("object");
    // The shared x axis (token labels, title) hangs under the lowest band.
    expect((spec.layout.xaxis as { anchor: string }).anchor).to.equal("y3");
    expect(String(bundle["text/plain"])).to.contain("forget mean 0.9");
    expect(() => gateActivationsFigure({ gates: {} })).to.throw(RangeError, /gates is empty/);
  });

  it("PCA finds the direction of largest variance", () => {
    // Points on the line y = 2x plus a little noise across it.
    const vectors = [-2, -1, 0, 1, 2].map((t, i) => [t + (i % 2 ? 0.01 : -0.01), 2 * t, 0]);
    const { points, explained } = pca(vectors, 2);
    expect(explained[0]).to.be.greaterThan(0.99);
    const first = points.map((p) => p[0]);
    expect(Math.abs(first[4] - first[0])).to.be.closeTo(2 * Math.sqrt(20), 0.01);
  });

  it("embedding view: PCA scatter labelled with tokens", () => {
    const vectors = Array.from({ length: 6 }, (_, i) => [i, i * 0.5, Math.sin(i), 1]);
    const labels = ["a", "b", "c", " ", "X", ":"];
    const { spec } = bundleOf(embeddingFigure({ vectors, labels }));
    expect(spec.data[0].x).to.have.length(6);
    expect(spec.data[0].text).to.deep.equal(["a", "b", "c", "␣", "X", ":"]);
  });
});

describe("viz/plotly: offline HTML with plotly.js injected once", () => {
  it("puts the plotly.js bundle into the first figure's HTML only", () => {
    resetPlotlyInjection();
    const first = String(lossFigure({ steps: [1, 2], loss: [2, 1] })[DISPLAY]()["text/html"]);
    const second = String(lossFigure({ steps: [1, 2], loss: [2, 1] })[DISPLAY]()["text/html"]);
    expect(first.length).to.be.greaterThan(1_000_000);
    expect(first).to.contain("window.Plotly = Plotly");
    expect(second.length).to.be.lessThan(10_000);
    expect(second).not.to.contain("window.Plotly = Plotly");
    // Both draw through a script that waits for window.Plotly; neither loads anything remote.
    for (const html of [first, second]) {
      expect(html).to.contain("Plotly.newPlot");
      expect(html).not.to.match(/<script[^>]+src=/);
    }
    expect(second).not.to.match(/https?:/);
    // The inlined bundle cannot end its <script> early.
    const scriptBody = first.slice(first.indexOf("<script"), first.indexOf("</script>"));
    expect(scriptBody.length).to.be.greaterThan(1_000_000);
  });

  describe("left out where the frontend draws plotly JSON", () => {
    const saved = { SEQLAB_PLOTLY_JS: process.env.SEQLAB_PLOTLY_JS, VSCODE_PID: process.env.VSCODE_PID };
    const restore = () => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      setPlotlyJsSource(undefined);
      resetPlotlyInjection();
    };
    beforeEach(() => {
      restore();
      delete process.env.SEQLAB_PLOTLY_JS;
      delete process.env.VSCODE_PID;
    });
    after(restore);

    const firstFigureHtml = () => String(lossFigure({ steps: [1, 2], loss: [2, 1] })[DISPLAY]()["text/html"]);

    it("SEQLAB_PLOTLY_JS=none (what seqlab run sets): no figure carries the bundle, each keeps its JSON and drawing script", () => {
      process.env.SEQLAB_PLOTLY_JS = "none";
      expect(plotlyJsSource()).to.equal("none");
      const bundle = lossFigure({ steps: [1, 2], loss: [2, 1] })[DISPLAY]();
      expect(String(bundle["text/html"]).length).to.be.lessThan(10_000);
      expect(String(bundle["text/html"])).to.contain("Plotly.newPlot").and.contain("seqlab run --html");
      expect(bundle[PLOTLY_MIME]).to.have.property("data");
      expect(new PlotlyLoader()[DISPLAY]()["text/html"]).to.equal("");
    });

    it("VS Code (VSCODE_PID, as plotly.py tells) draws plotly JSON itself; elsewhere the first figure carries plotly.js", () => {
      expect(plotlyJsSource()).to.equal("inline");
      process.env.VSCODE_PID = "4242";
      expect(plotlyJsSource()).to.equal("none");
      expect(firstFigureHtml()).not.to.contain("window.Plotly = Plotly");
      // an explicit choice wins over the environment
      setPlotlyJsSource("inline");
      expect(firstFigureHtml()).to.contain("window.Plotly = Plotly");
    });

    it("refuses an unknown choice with the ones it takes", () => {
      process.env.SEQLAB_PLOTLY_JS = "cdn";
      expect(() => plotlyJsSource()).to.throw(/SEQLAB_PLOTLY_JS must be "inline" or "none", got "cdn"/);
      expect(() => setPlotlyJsSource("cdn" as "none")).to.throw(RangeError, /"inline", "none" or undefined/);
    });
  });

  it("escapes '<' inside the figure JSON so labels cannot break out of the script", () => {
    resetPlotlyInjection();
    lossFigure({ steps: [0], loss: [0] })[DISPLAY]();
    const html = new Figure({ data: [{ type: "scatter", name: "</script><b>x", x: [1], y: [1] }], layout: {} }, "t").toHTML();
    expect(html).not.to.contain("</script><b>");
    expect(html).to.contain("\\u003c/script>");
  });
});
