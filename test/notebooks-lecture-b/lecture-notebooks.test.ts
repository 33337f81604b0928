/**
 * Lecture notebooks 05 (gated cells), 07 (sentiment), 08 (translation and attention) and 09
 * (self-attention and Transformers):
 * committed without outputs for the seqlab kernel, a quick-aware parameters cell first, and
 * each one executed in quick mode by `seqlab run` and by Jupyter's nbconvert with every
 * printed claim ticked and the plots that carry the section present. The tests themselves
 * live in ../notebooks/lecture-suite.ts; this file is the table.
 */
import { describeLectureNotebooks, type LectureNotebook } from "../notebooks/lecture-suite";

const EXPECTED: LectureNotebook[] = [
  {
    file: "05-gated-cells.ipynb",
    claims: [
      /✔ LSTM: c_t = f_t ⊙ c_\{t-1\} \+ i_t ⊙ g_t \(largest difference\)/,
      /✔ GRU: h_t = z_t ⊙ h_\{t-1\} \+ \(1 − z_t\) ⊙ n_t/,
      /✔ vanilla RNN at gap \d+ stays near chance, 0\.5 \(test accuracy\): 0\.[0-6]/,
      /✔ LSTM beats the vanilla RNN by at least 0\.3 \(accuracy difference\): 0\.[3-9]/,
      /✔ GRU beats the vanilla RNN by at least 0\.3 \(accuracy difference\): 0\.[3-9]/,
      /✔ after training, the LSTM passes at least 100x more of the gradient back to the cue/,
      /✔ the vanilla RNN's gradient vanishes across the gap \(ratio first\/last after training\)/,
      // The cause is looked for before learning, and the cell state is probed beside its forget gates.
      /✔ after \d+ steps no model has learnt the task yet/,
      /✔ before training, the LSTM passes at least 50x more of the gradient back to the cue than the vanilla RNN/,
      /✔ after \d+ steps, still at chance, the GRU passes at least 1000x more back than the vanilla RNN/,
      /✔ before training the forget gates sit near σ\(1\) = 0\.731.*: 0\.7\d\d\n/,
      /✔ step 0: the measured ‖∂L\/∂c_0‖\/‖∂L\/∂c_T‖ is at least 1000x what the direct cell path alone could bring back/,
      /✔ LSTM: the memory unit's forget gates alone would keep less than 1e-3 of the cue across the gap/,
      /✔ LSTM: yet Adam's first step moves the cue rows by at least 0\.75 of the learning rate/,
      /✔ LSTM: the cue rows' gradient is at least 50x smaller than the distractor rows'/,
      /✔ LSTM: readable cell with the trained weights = the trained layer/,
    ],
    minClaims: 39,
    // loss curves and gradient norms before and after training (scatter), and the LSTM's and GRU's gate heatmaps
    minFiguresByTrace: { scatter: 3, heatmap: 2 },
  },
  {
    file: "07-sentiment.ipynb",
    claims: [
      /✔ no test sentence occurs in the training set \(overlap\): 0\n/,
      /✔ padding does not change a prediction/,
      /✔ test accuracy on all unseen sentences, at least 0\.8: (0\.[89]|1\.000)/,
      /✔ test accuracy on unseen sentences made of familiar uses of words, at least 0\.\d+: (0\.(8[5-9]|9)|1\.000)/,
      /✔ wrong answers counted again, each sentence alone and unpadded, label looked up by its text \(count; largest change in p\): \d+; /,
      /✔ familiar words: plain\/negated pairs answered right both ways/,
      // The rare word fails, said plainly, and why: its vector lies away from the familiar ones.
      /✔ rare word \(wonderful\): it fails, pairs answered right both ways \(at most 1 of 6\): [01] of 6/,
      /✔ the rare word's vector points elsewhere \(cosine to their mean, at most 0\.5\)/,
      /✔ with the familiar words' mean vector in its place, the rare word's pairs come right both ways \(at least 5 of 6\): [56] of 6/,
      /✔ its trained vector put back, the count is what it was/,
      // A prefix is read as a whole (truncated) input; only those that are sentences carry a label.
      /✔ the prefixes that are sentences of the task \("the plot was fun", "the plot was dull"\) get their labels/,
    ],
    minClaims: 15,
    minFiguresByTrace: { scatter: 2 },
  },
  {
    file: "08-translation-attention.ipynb",
    claims: [
      // the same stopping rule for both models, and neither reached the cap
      /✔ no attention: training stopped by the rule, before the cap of \d+ steps \(steps\): \d+\n/,
      /✔ additive attention: training stopped by the rule, before the cap of \d+ steps \(steps\): \d+\n/,
      /✔ after training to a stop, the held-out loss without attention is still at least 10 times the one with it/,
      /✔ without attention, single numbers are learnt/,
      /✔ without attention, accuracy drops by at least 0\.4 from 1 to \d numbers \(exact match difference\): (0\.[4-9]|1\.000)/,
      /✔ with attention, accuracy on \d numbers stays at least 0\.7/,
      /✔ with attention, the drop is at most a quarter of the drop without it/,
      /✔ output digits whose most-attended source word lies in their own number/,
      /✔ swapped numbers whose alignment crosses: tens digit on the tens word, units digit on the units word \(share, at least 0\.7\): (0\.[7-9]|1\.000)/,
      /✔ the tens digit weighs the tens word above the units word, and the units digit the reverse/,
      /✔ the step's weights = sl\.attend with the previous state s_0 as query/,
      /✔ with the new state s_1 as query they differ/,
      /✔ attention model: the loss sends gradient into the encoder's recurrent kernel W_hh/,
    ],
    minClaims: 16,
    // the loss curves, the accuracy bars, the attention heatmap
    minFiguresByTrace: { scatter: 1, bar: 1, heatmap: 1 },
  },
  {
    file: "09-self-attention-transformers.ipynb",
    claims: [
      /✔ attention weights = the hand computation \(largest difference\): \d\.\de-(\d\d|[7-9])\n/,
      /✔ with the causal mask, the weight on later tokens is exactly 0 \(largest\): 0\n/,
      /✔ without positional encoding, a sequence and its twin get the same logits/,
      /✔ without positional encoding, test accuracy is chance, 0\.5: 0\.500/,
      /✔ with sinusoidal positional encoding, test accuracy at least 0\.9: (0\.9|1\.000)/,
      /✔ both runs had the same time budget/,
      /✔ LSTM: held-out loss fell by at least 0\.2 during its \d+ s/,
      /✔ Transformer: held-out loss fell by at least 0\.2 during its \d+ s/,
      /✔ greedy Transformer text: characters within 0.02 of the forward pass's largest logit: (\d+) of \1/,
      /✔ every head's row t sums to 1 over positions 0\.\.t and gives later ones exactly 0: yes/,
      /block1_attention: 4 heads; mean distance looked back, per head/,
    ],
    minClaims: 14,
    // the positional table and the attention heads (heatmaps), the loss curves (scatter)
    minFiguresByTrace: { scatter: 2, heatmap: 2 },
  },
];

describeLectureNotebooks("lecture notebooks 05, 07, 08, 09", EXPECTED, { testTimeoutMs: 6 * 60 * 1000, nbconvertTimeoutMs: 5 * 60 * 1000 });
