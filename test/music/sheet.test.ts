import { expect } from "chai";
import { renderSvg } from "../../lib/music";

describe("music/sheet: SVG sheet music without a browser", () => {
  const svg = renderSvg("X:1\nT:Scale\nM:4/4\nL:1/4\nK:C\nCDEF|GABc|]");

  it("draws a staff, one note head per note, and the title", () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true);
    expect(svg.match(/class="abcjs-staff[ "]/g)).to.have.length(1);
    expect(svg.match(/class="abcjs-notehead"/g)).to.have.length(8);
    expect(svg).to.contain("Scale");
    expect(svg).to.match(/<path[^>]+d="M/);
  });

  it("leaves no DOM globals behind", () => {
    expect("document" in globalThis).to.equal(false);
    expect("window" in globalThis).to.equal(false);
  });

  it("refuses empty text", () => {
    expect(() => renderSvg("  ")).to.throw(/non-empty ABC/);
  });
});
