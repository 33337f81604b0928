import { expect } from "chai";
import { renderSvg } from "../../lib/music";
import { captureConsole } from "../console-capture";

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

  it("keeps abcjs's debug lines out of the output, and marks the note it cannot draw on the sheet", async () => {
    // A thirty-second note at L:1/8 has no glyph: abcjs logs "Debug msg: pitch is undefined".
    const log = console.log;
    const drawn = await captureConsole(() => renderSvg("X:1\nT:Odd length\nM:4/4\nL:1/8\nK:C\nA/32 B|]"));
    expect(drawn.log).to.equal("");
    expect(drawn.value).to.contain("pitch is undefined");
    expect(console.log, "console.log put back").to.equal(log);
  });

  it("refuses empty text", () => {
    expect(() => renderSvg("  ")).to.throw(/non-empty ABC/);
  });
});
