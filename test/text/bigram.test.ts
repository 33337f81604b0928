import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { bigramModel } from "../../lib/text";

describe("text: add-k bigram baseline", () => {
  // 0 1 0 1 0 2: after 0 comes 1 twice and 2 once; after 1 comes 0 twice; 2 is never followed.
  const ids = [0, 1, 0, 1, 0, 2];

  it("counts pairs and adds k to each, as by hand", () => {
    const model = bigramModel(ids, { vocabSize: 3, k: 0.5 });
    expect(model.probability(0, 1)).to.be.closeTo((2 + 0.5) / (3 + 1.5), 1e-12);
    expect(model.probability(0, 0)).to.be.closeTo(0.5 / 4.5, 1e-12);
    expect(model.probability(1, 0)).to.be.closeTo(2.5 / 3.5, 1e-12);
    // An id never followed by anything: uniform.
    expect(model.distribution(2)).to.deep.equal([1 / 3, 1 / 3, 1 / 3]);
    for (let p = 0; p < 3; p++) expect(model.distribution(p).reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-12);
  });

  it("gives the mean cross-entropy of windows in nats, from arrays or int tensors", () => {
    const model = bigramModel(ids, { vocabSize: 3, k: 0.5 });
    const x = [[0, 1], [1, 0]];
    const y = [[1, 0], [0, 2]];
    const byHand = -(Math.log(2.5 / 4.5) + Math.log(2.5 / 3.5) + Math.log(2.5 / 3.5) + Math.log(1.5 / 4.5)) / 4;
    expect(model.crossEntropy(x, y)).to.be.closeTo(byHand, 1e-12);
    const [tx, ty] = [tf.tensor2d(x, undefined, "int32"), tf.tensor2d(y, undefined, "int32")];
    expect(model.crossEntropy(tx, ty)).to.be.closeTo(byHand, 1e-12);
    tf.dispose([tx, ty]);
  });

  it("says what is wrong with bad input", () => {
    expect(() => bigramModel([0, 3], { vocabSize: 3 })).to.throw(RangeError, /ids\[1\] is 3, not an id in 0\.\.2/);
    expect(() => bigramModel(ids, { vocabSize: 3, k: 0 })).to.throw(RangeError, /k must be a positive number/);
    expect(() => bigramModel(ids, { vocabSize: 0 })).to.throw(RangeError, /vocabSize must be a positive integer/);
    expect(() => bigramModel([1], { vocabSize: 3 })).to.throw(TypeError, /at least two ids/);
    const model = bigramModel(ids, { vocabSize: 3 });
    expect(() => model.crossEntropy([[0, 1]], [[1]])).to.throw(RangeError, /inputs \[1, 2\] and targets \[1, 1\] must be non-empty and of the same shape/);
    expect(() => model.crossEntropy([0, 1] as never, [[1, 0]])).to.throw(TypeError, /inputs must be rows of ids/);
    expect(() => model.probability(0, 1.5)).to.throw(RangeError, /next is 1\.5/);
  });
});
