import { expect } from "chai";
import {
  ballTrajectory,
  ballTrajectories,
  nextPositionWindows,
  longRangeTask,
  sentimentSentences,
  bagOfWords,
  numberTranslation,
  numberToWords,
  translationIds,
  nextWordCorpus,
  isPluralVerb,
} from "../../lib/data";

describe("data: ball trajectory", () => {
  it("has the requested shape, stays in the box and is seeded", () => {
    const a = ballTrajectory({ steps: 80, seed: 1 });
    expect(a.positions.length).to.equal(80);
    expect(a.positions.every((p) => p.length === 2 && p[1] >= 0 && p[1] <= 10 && p[0] >= 0 && p[0] <= 10)).to.equal(true);
    expect(ballTrajectory({ steps: 80, seed: 1 })).to.deep.equal(a);
    expect(ballTrajectory({ steps: 80, seed: 2 }).positions).to.not.deep.equal(a.positions);
  });

  it("falls under gravity between bounces and bounces off the floor", () => {
    const dt = 0.05;
    const g = 9.81;
    const t = ballTrajectory({ steps: 200, dt, gravity: g, seed: 3 });
    expect(t.bounces.length).to.be.above(0);
    const bounced = new Set(t.bounces);
    for (let i = 1; i + 1 < t.positions.length; i++) {
      if (bounced.has(i) || bounced.has(i + 1)) continue;
      // Away from bounces the second difference of y is -g dt^2 and of x is 0:
      // the next position follows from the last two, not from the current one alone.
      const ddy = t.positions[i + 1][1] - 2 * t.positions[i][1] + t.positions[i - 1][1];
      const ddx = t.positions[i + 1][0] - 2 * t.positions[i][0] + t.positions[i - 1][0];
      expect(ddy).to.be.closeTo(-g * dt * dt, 1e-9);
      expect(ddx).to.be.closeTo(0, 1e-9);
    }
    // At a floor bounce the vertical velocity turns from down to up.
    const floor = t.bounces.find((b) => t.velocities[b - 1][1] < 0 && t.velocities[b][1] > 0);
    expect(floor).to.not.equal(undefined);
  });

  it("makes windows for history 1 (present only) and longer", () => {
    const set = ballTrajectories(3, { steps: 20, seed: 4 });
    expect(set[0].positions).to.not.deep.equal(set[1].positions);
    const w1 = nextPositionWindows(set, 1);
    const w3 = nextPositionWindows(set, 3);
    expect(w1.inputs.length).to.equal(3 * 19);
    expect(w3.inputs.length).to.equal(3 * 17);
    expect(w3.inputs[0].length).to.equal(3);
    expect(w3.targets[0]).to.deep.equal(set[0].positions[3]);
    expect(() => nextPositionWindows(set, 20)).to.throw(/too short for history 20/);
  });
});

describe("data: long-range dependency", () => {
  it("puts the answer in the first token, gap distractors before the query", () => {
    const set = longRangeTask({ count: 50, gap: 12, classes: 3, seed: 1 });
    expect(set.inputs.length).to.equal(50);
    expect(set.inputs.every((s) => s.length === 14)).to.equal(true);
    set.inputs.forEach((s, i) => {
      expect(set.vocab.tokenOf(s[0])).to.equal(set.classNames[set.targets[i]]);
      expect(set.vocab.tokenOf(s[13])).to.equal("?");
      s.slice(1, 13).forEach((id) => expect(set.vocab.tokenOf(id)).to.match(/^d\d$/));
    });
    expect(new Set(set.targets).size).to.equal(3);
    expect(longRangeTask({ count: 50, gap: 12, classes: 3, seed: 1 }).inputs).to.deep.equal(set.inputs);
    expect(() => longRangeTask({ classes: 1 })).to.throw(/classes must be an integer >= 2/);
    // With confusers, later cues appear in the gap but the answer stays the first one.
    const hard = longRangeTask({ count: 200, gap: 20, confusers: 0.3, seed: 4 });
    let laterCues = 0;
    let disagreeing = 0;
    hard.inputs.forEach((s, i) => {
      expect(hard.vocab.tokenOf(s[0])).to.equal(hard.classNames[hard.targets[i]]);
      const later = s.slice(1, 21).map((id) => hard.vocab.tokenOf(id)).filter((t) => t.startsWith("C"));
      laterCues += later.length;
      if (later.length > 0 && later[later.length - 1] !== hard.classNames[hard.targets[i]]) disagreeing++;
    });
    expect(laterCues / (200 * 20)).to.be.closeTo(0.3, 0.05);
    expect(disagreeing).to.be.above(50);
  });
});

describe("data: sentiment with negation and order", () => {
  it("labels follow the templates", () => {
    const set = sentimentSentences({ count: 120, seed: 2 });
    expect(set.sentences.length).to.equal(120);
    set.tokens.forEach((t, i) => {
      const adjective = t[3] === "not" ? t[4] : t[3];
      const positive = ["good", "great", "fun", "wonderful", "excellent"].includes(adjective);
      const expected = set.templates[i] === "negated" ? !positive : positive;
      expect(set.labels[i], set.sentences[i]).to.equal(expected ? 1 : 0);
    });
  });

  it("has pairs with the same bag of words and opposite labels", () => {
    const set = sentimentSentences({ count: 60, seed: 3, mix: { plain: 0, negated: 0, contrast: 1 } });
    const bags = bagOfWords(set.tokens, set.vocab).map((b) => b.join(","));
    let twins = 0;
    for (let i = 0; i + 1 < bags.length; i += 2) {
      expect(bags[i]).to.equal(bags[i + 1]);
      expect(set.labels[i]).to.not.equal(set.labels[i + 1]);
      twins++;
    }
    expect(twins).to.equal(30);
    expect(sentimentSentences({ count: 60, seed: 3 }).sentences).to.deep.equal(sentimentSentences({ count: 60, seed: 3 }).sentences);
  });
});

// An independent reader of the word forms, to check the digits.
function wordsToNumber(words: string[]): number {
  const units = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
  const teens = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
  const tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
  let total = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (words[i + 1] === "hundred") {
      total += 100 * units.indexOf(w);
      i++;
    } else if (units.includes(w)) total += units.indexOf(w);
    else if (teens.includes(w)) total += 10 + teens.indexOf(w);
    else if (tens.includes(w)) total += 10 * tens.indexOf(w);
    else if (w !== "and") throw new Error(`unexpected word ${w}`);
  }
  return total;
}

describe("data: number translation", () => {
  it("words and digits say the same numbers, units before tens", () => {
    expect(numberToWords(342)).to.deep.equal(["three", "hundred", "two", "and", "forty"]);
    expect(numberToWords(342, "english")).to.deep.equal(["three", "hundred", "forty", "two"]);
    expect(numberToWords(0)).to.deep.equal(["zero"]);
    expect(numberToWords(300)).to.deep.equal(["three", "hundred"]);
    const set = numberTranslation({ count: 100, minNumbers: 1, maxNumbers: 5, seed: 7 });
    for (const pair of set.pairs) {
      const sourceNumbers = pair.source.join(" ").split(" , ").map((s) => wordsToNumber(s.split(" ")));
      const targetNumbers = pair.target.join("").split(",").map(Number);
      expect(sourceNumbers).to.deep.equal(pair.values);
      expect(targetNumbers).to.deep.equal(pair.values);
    }
    const lengths = new Set(set.pairs.map((p) => p.values.length));
    expect(lengths.size).to.equal(5);
  });

  it("encodes pairs for teacher forcing with <bos>/<eos>", () => {
    const set = numberTranslation({ count: 5, seed: 1 });
    const ids = translationIds(set);
    expect(set.targetVocab.tokens.slice(0, 3)).to.deep.equal(["<pad>", "<bos>", "<eos>"]);
    ids.targetIn.forEach((row, i) => {
      expect(row[0]).to.equal(1);
      expect(row.slice(1)).to.deep.equal(ids.targetOut[i].slice(0, -1));
      expect(ids.targetOut[i][ids.targetOut[i].length - 1]).to.equal(2);
      expect(set.sourceVocab.decodeTokens(ids.source[i]).slice(0, -1)).to.deep.equal(set.pairs[i].source);
    });
    expect(numberTranslation({ count: 5, seed: 1 }).pairs).to.deep.equal(set.pairs);
    expect(() => numberTranslation({ minNumbers: 3, maxNumbers: 2 })).to.throw(/minNumbers <= maxNumbers/);
  });
});

describe("data: next-word corpus", () => {
  it("verbs agree with the subject, not with the nearer noun", () => {
    const c = nextWordCorpus({ count: 100, seed: 5 });
    expect(c.tokens.length).to.equal(100);
    let attractorMismatch = 0;
    c.tokens.forEach((t, i) => {
      expect(isPluralVerb(t[c.verbIndex[i]])).to.equal(c.plural[i]);
      if (c.verbIndex[i] === 5) {
        const nearer = t[4];
        if (nearer.endsWith("s") !== c.plural[i] && nearer !== "children") attractorMismatch++;
      }
      expect(t[t.length - 1]).to.equal(".");
    });
    expect(attractorMismatch).to.be.above(5);
    expect(c.vocab.decode(c.encoded).split(" ").length).to.equal(c.tokens.flat().length);
    expect(nextWordCorpus({ count: 100, seed: 5 }).sentences).to.deep.equal(c.sentences);
  });
});
