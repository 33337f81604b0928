import { expect } from "chai";
import { bestUnits, correlation, rankUnits } from "../../lib/inspect/units";
import { abcStructureFeatures } from "../../lib/music/abc-features";
import { activationTextFigure, activationTextHtml } from "../../lib/viz/activation-text";
import { DISPLAY } from "../../lib/runtime";

describe("inspect: interpretable units", () => {
  it("correlation is Pearson's r (hand-computed), 0 for a constant series, and refuses bad input", () => {
    // x = 1..4, y = 2,4,5,9: mean 2.5 and 5; sums of products 1.5*3+0.5*1+0.5*0+1.5*4 = 11,
    // sxx = 5, syy = 9+1+0+16 = 26, so r = 11 / sqrt(130).
    expect(correlation([1, 2, 3, 4], [2, 4, 5, 9])).to.be.closeTo(11 / Math.sqrt(130), 1e-12);
    expect(correlation([1, 2, 3], [-2, -4, -6])).to.be.closeTo(-1, 1e-12);
    expect(correlation([1, 1, 1], [1, 2, 3])).to.equal(0);
    expect(() => correlation([1, 2], [1, 2, 3])).to.throw(/different lengths \(2 and 3\)/);
    expect(() => correlation([1, NaN], [1, 2])).to.throw(/NaN/);
  });

  it("rankUnits puts the units that follow the feature first, by |r|, whichever their sign", () => {
    const feature = [0, 1, 0, 2, 3, 1, 0];
    // unit 0: noise-free copy scaled and shifted (r = 1); unit 1: negated (r = -1); unit 2: weak.
    const weak = [1, 0, 0, 1, 1, 0, 1];
    const states = feature.map((f, t) => [3 * f + 1, -f, weak[t]]);
    const ranked = rankUnits(states, feature);
    expect(ranked.map((r) => r.unit).slice(0, 2).sort()).to.deep.equal([0, 1]);
    expect(ranked[2]).to.deep.include({ unit: 2 });
    expect(Math.abs(ranked[2].correlation)).to.be.below(0.5);
    expect(rankUnits(states, feature, { top: 1 })).to.have.length(1);
    expect(bestUnits(states, { same: feature, weak }).weak.unit).to.equal(2);
    expect(() => rankUnits(states, [1, 2])).to.throw(/2 values but the states have 7 time steps/);
  });

  it("abcStructureFeatures marks header lines, bars, brackets, quotes and line ends per character", () => {
    const text = 'X:1\nA[DF]|"Am"B\n';
    const f = abcStructureFeatures(text);
    expect(f.headerLine).to.deep.equal([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // "[" opens (inside), "]" closes (outside); the same for the quotes.
    expect(f.insideBrackets).to.deep.equal([0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(f.insideQuotes).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
    expect(f.positionInBar).to.deep.equal([0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
    expect(f.toLineEnd).to.deep.equal([3, 2, 1, 0, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(() => abcStructureFeatures(3 as unknown as string)).to.throw(/as a string/);
  });

  it("draws a text coloured by activation as HTML spans and as a heatmap with one row per line", () => {
    const tokens = [..."ab\nc<"];
    const values = [1, -0.5, 0, 0.25, -1];
    const html = activationTextHtml({ tokens, values, label: "unit 3" })[DISPLAY]()["text/html"] as string;
    expect(html).to.contain("unit 3");
    expect(html).to.contain('style="background:rgba(214,39,40,1.00)">a</span>');
    expect(html).to.contain('style="background:rgba(31,119,180,0.50)">b</span>');
    expect(html).to.contain("&lt;</span>"); // escaped
    expect(html).to.contain("<br>");
    const fig = activationTextFigure({ tokens, values }).toJSON();
    expect(fig.data[0].z).to.deep.equal([[1, -0.5, 0], [0.25, -1, null]]);
    expect(fig.data[0].text).to.deep.equal([["a", "b", "⏎"], ["c", "<", ""]]);
    expect(() => activationTextHtml({ tokens: ["a"], values: [1, 2] })).to.throw();
  });
});
