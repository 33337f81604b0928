import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { distinctCharacters, extractSongs, joinSongs, loadLabSongs, songsFromText, splitSongs } from "../../lib/music";
import { dataDir } from "./helpers";

describe("music/songs: splitting ABC text the lab's way", () => {
  it("splits the lab corpus into 817 songs with 83 distinct characters", async () => {
    const lab = await loadLabSongs({ dataDir: dataDir(), download: false });
    expect(lab.songs).to.have.length(817);
    expect(lab.vocabulary).to.have.length(83);
    expect(lab.text).to.equal(joinSongs(lab.songs));
    expect(lab.songs[0].startsWith("X:1\nT:Alexander's")).to.equal(true);
    expect(path.basename(lab.path)).to.equal("irish.abc");
  });

  it("matches the lab regex (^|\\n\\n)(.*?)\\n\\n with overlaps on edge cases", () => {
    // Expected lists computed with Python's re on the lab's pattern.
    expect(splitSongs("a\n\n\nb\n\nc")).to.deep.equal(["a", "\nb", "b"]);
    expect(splitSongs("\n\nX:1\n\nX:2\n\n")).to.deep.equal(["", "X:2"]);
    expect(splitSongs("no blank line")).to.deep.equal([]);
    expect(splitSongs("A\n\nB\n\n\n\nC\n\n")).to.deep.equal(["A", "B", "", "\nC", "C"]);
  });

  it("rejects text with no songs with a hint", () => {
    expect(() => songsFromText("X:1\nK:C\nCDEF", "my.abc")).to.throw(/Found 0 songs in my\.abc.*blank line/s);
    expect(() => splitSongs(42 as unknown as string)).to.throw(TypeError, /string/);
  });

  it("counts distinct characters sorted", () => {
    expect(distinctCharacters("cabac")).to.deep.equal(["a", "b", "c"]);
  });

  it("extracts tunes from generated text and drops fragments without headers", () => {
    const generated = "eA|B2 dB\n\nX:1\nT:One\nK:D\nABcd|\n\nfg ab\n\nX:2\nT:Two\nK:G\nGABc|\n\nX:3\nT:Cut";
    expect(extractSongs(generated)).to.deep.equal(["X:1\nT:One\nK:D\nABcd|", "X:2\nT:Two\nK:G\nGABc|"]);
    expect(extractSongs(generated, { includeTail: true })).to.deep.equal([
      "X:1\nT:One\nK:D\nABcd|",
      "X:2\nT:Two\nK:G\nGABc|",
      "X:3\nT:Cut",
    ]);
  });

  it("reads the corpus file unchanged (sha256 of the lab's file)", () => {
    const text = fs.readFileSync(path.join(dataDir(), "irish.abc"));
    expect(require("crypto").createHash("sha256").update(text).digest("hex")).to.equal(
      "df3782d5f7b5a2f4c66aa7c13f13008d5f48757b3f5f51620cd6c1ceb2c53023",
    );
  });
});
