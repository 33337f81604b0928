import { expect } from "chai";
import { checkAbc, checkSongs, countNotes, loadLabSongs, parseTune } from "../../lib/music";
import { dataDir } from "./helpers";

const GOOD = "X:1\nT:Scale\nM:4/4\nL:1/4\nQ:1/4=120\nK:C\nCDEF|GABc|]";
const BROKEN = "X:2\nT:Broken\nM:4/4\nL:1/8\nK:D\nAB[c|d}} ^^^ zz||::";

describe("music/abc: validating ABC with abcjs's parser", () => {
  it("accepts a good tune with no warnings", () => {
    const check = checkAbc(GOOD);
    expect(check).to.deep.equal({ ok: true, warnings: [], title: "Scale", noteCount: 8 });
  });

  it("rejects a broken tune and gives the parser's warnings as plain text with positions", () => {
    const check = checkAbc(BROKEN);
    expect(check.ok).to.equal(false);
    expect(check.title).to.equal("Broken");
    expect(check.warnings.length).to.be.greaterThan(2);
    expect(check.warnings.join("\n")).to.match(/line 6:\d+: Expected ']' to end the chords/);
    expect(check.warnings.join("\n")).to.match(/Unknown character ignored/);
    expect(check.warnings.join("\n")).not.to.contain("<span");
  });

  it("says that text without notes is not a playable tune", () => {
    expect(checkAbc("X:1\nT:Nothing\nK:C\n").ok).to.equal(false);
    expect(checkAbc("X:1\nT:Nothing\nK:C\n").warnings).to.include("The tune has no notes.");
    expect(checkAbc("").warnings[0]).to.match(/empty/);
    expect(() => parseTune(undefined as unknown as string)).to.throw(TypeError, /string/);
  });

  it("counts chord notes and skips rests", () => {
    expect(countNotes(parseTune("X:1\nL:1/4\nK:C\n[CEG] z A|"))).to.equal(4);
  });

  it("finds nearly all of the lab's 817 songs valid and names the few that are not", async () => {
    const { songs } = await loadLabSongs({ dataDir: dataDir(), download: false });
    const result = checkSongs(songs);
    expect(result.valid.length + result.invalid.length).to.equal(817);
    expect(result.valid.length).to.be.greaterThan(800);
    for (const bad of result.invalid) expect(bad.warnings.length).to.be.greaterThan(0);
  });
});
