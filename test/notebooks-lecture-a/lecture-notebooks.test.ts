/**
 * Lecture notebooks 01–04: committed clean for the seqlab kernel with a parameters cell first,
 * and each one executed in quick mode through `seqlab run` and through Jupyter's nbconvert,
 * with no failing cell, no failed claim, the claims that carry each lecture section and its
 * plots. The tests themselves live in ../notebooks/lecture-suite.ts; this file is the table.
 */
import { expect } from "chai";
import * as path from "path";
import { codeCells, NOTEBOOK_DIR, readNotebookFile } from "../notebooks/executed";
import { describeLectureNotebooks, type LectureNotebook } from "../notebooks/lecture-suite";

const NOTEBOOKS: LectureNotebook[] = [
  {
    file: "01-sequences.ipynb",
    claims: [/✔ many-to-one: .*: \[3, 4\]/, /✔ one-to-many: .*: \[3, 7, 4\]/, /✔ many-to-many: .*: \[3, 7, 4\]/, /✔ seeing the past lowers the error at least \d+-fold .*: \d+\.\d/],
    minClaims: 8,
    minFigures: 1,
  },
  {
    file: "02-recurrence.ipynb",
    claims: [
      /✔ largest \|h_t\| with the \(wrong\) product form: 0\n/,
      /✔ seqlab readable cell vs ours: largest difference in h_t/,
      /✔ seqlab fused layer vs ours/,
      /✔ tfjs-layers simpleRNN vs ours/,
      /✔ dL\/dW_hh, library cell vs ours/,
      /✔ sum of the printed per-step losses equals the total loss/,
      /✔ the cell's parameters are the four weights, and no hidden state among them: W_xh, W_hh, b, W_hy/,
      /✔ a vanilla RNN's state is h alone; the LSTM adds its cell state c: h \| h,c/,
      ...["W_xh", "W_hh", "b", "W_hy", "h_0"].map((w) => new RegExp(`✔ dL/d${w}: the hand-written backward pass matches tf.grads`)),
    ],
    minClaims: 20,
    minFigures: 0,
  },
  {
    file: "03-encoding-words.ipynb",
    claims: [
      /✔ bag of words on order twins \(exactly chance[^)]*\): 0\.500/,
      /✔ RNN beats bag of words on order twins by at least 0\.\d+ \(accuracy difference\): 0\.\d+/,
      /✔ RNN: agreement right across an intervening noun of the other number \(chance is 0\.5\): (0\.[7-9]|1\.000)/,
      // The baseline beside the loss, and where the RNN's longer memory pays.
      /✔ the RNN's held-out loss is below the bigram's \(bigram minus RNN, nats per word\): 0\.\d+/,
      /✔ bigram: across a noun of the other number it follows that noun, and is wrong \(at most 0\.1\): 0\.0/,
      /✔ nouns are closer to nouns than to verbs/,
    ],
    minClaims: 16,
    minFigures: 3,
  },
  {
    file: "04-backprop-through-time.ipynb",
    claims: [
      /✔ ρ = 0\.5 \(factor below 1, though positive\): gradient vanishes/,
      /✔ ρ = 1\.5 \(factor above 1\): gradient explodes/,
      /✔ global norm after clipping to 1: 1\.0000/,
      /✔ the share of gradient reaching the first step falls as the gap grows/,
      /✔ tanh RNN at gap \d+ stays near chance/,
      /✔ at gap \d+, the IRNN beats the tanh RNN by at least 0\.3/,
      /✔ relu' is 0 for negative inputs and 1 for positive ones: 0, 0, 1, 1/,
      /✔ k from T down to 1 gives tf.grad's dL\/dh_0/,
      /✔ the other order does not/,
      /✔ every factor has spectral norm above 1 \(smallest\): 3\.08\d/,
      /✔ yet the gradient vanishes across the chain/,
      /gap +20: gradient ratio first\/last step before training 6\.38e-2 over 21 steps, factor per step 0\.877 \(vanishing\)/,
      /✔ the gradient vanishes at every gap by our criterion/,
      /✔ without clipping, SGD at 0\.1 blows up/,
      /✔ with clipping, SGD at 0\.1 learns the task/,
      /✔ clipping acted on a minority of the steps/,
      /✔ every smaller rate avoids the blow-up/,
      /✔ none of them learns the task in the same steps/,
      /✔ the clipped run's final loss is at least 10x below the best unclipped one/,
      /✔ the per-step terms add up to tf.grad's dL\/dW_hh/,
      /✔ truncated to K steps, the gradient is the sum of the last K terms/,
    ],
    minClaims: 35,
    minFigures: 5,
  },
];

describeLectureNotebooks("lecture notebooks 01-04", NOTEBOOKS, { testTimeoutMs: 5 * 60 * 1000, nbconvertTimeoutMs: 4 * 60 * 1000 });

describe("lecture notebook 03: only what has been taught", () => {
  it("uses the vanilla RNN of notebook 2, not the LSTM or GRU that notebook 5 introduces", () => {
    const source = codeCells(readNotebookFile(path.join(NOTEBOOK_DIR, "03-encoding-words.ipynb"))).map((c) => c.source).join("\n");
    expect(source).to.contain("sl.simpleRNNLayer(");
    expect(source).not.to.match(/sl\.(lstmLayer|gruLayer|lstmCell|gruCell)\(|tf\.layers\.(lstm|gru)\(/);
  });
});
