/**
 * A long-range dependency task: the first token names a class, then come `gap` random
 * distractor tokens, then a query token; the answer is the first token's class. A model
 * must carry one fact across the gap, which is where vanilla RNN gradients vanish.
 */
import { Vocabulary } from "../text/vocabulary";
import { RngLike, toRng } from "../random";

export interface LongRangeOptions {
  /** Sequences to generate (default 256). */
  count?: number;
  /** Distractor steps between the cue and the query (default 10). */
  gap?: number;
  /** Classes the cue can name (default 2). */
  classes?: number;
  /** Distinct distractor tokens (default 4). */
  distractors?: number;
  /**
   * Share of the gap's steps that show a random class token instead of a distractor
   * (default 0). Above 0 the model must remember the first cue and ignore later ones, not
   * merely notice that a cue appeared, which is what separates gated cells from a vanilla RNN.
   */
  confusers?: number;
  seed?: RngLike;
}

export interface LongRangeSet {
  /** [count][gap + 2] token ids: cue, distractors..., query. */
  inputs: number[][];
  /** [count] the cue's class, 0..classes-1. */
  targets: number[];
  vocab: Vocabulary;
  /** Class names (the cue tokens), indexed by target. */
  classNames: string[];
  gap: number;
}

export function longRangeTask(options: LongRangeOptions = {}): LongRangeSet {
  const { count = 256, gap = 10, classes = 2, distractors = 4, confusers = 0 } = options;
  if (!(confusers >= 0 && confusers <= 1)) throw new RangeError(`longRangeTask: confusers must be in [0, 1], got ${confusers}`);
  for (const [name, v, min] of [["count", count, 1], ["gap", gap, 0], ["classes", classes, 2], ["distractors", distractors, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`longRangeTask: ${name} must be an integer >= ${min}, got ${v}`);
  }
  const rng = toRng(options.seed);
  const classNames = Array.from({ length: classes }, (_, i) => `C${i}`);
  const distractorNames = Array.from({ length: distractors }, (_, i) => `d${i}`);
  const query = "?";
  const vocab = Vocabulary.fromWords([[...classNames, ...distractorNames, query]], { lowercase: false });
  const inputs: number[][] = [];
  const targets: number[] = [];
  for (let n = 0; n < count; n++) {
    const label = rng.int(classes);
    const filler = () => (confusers > 0 && rng.next() < confusers ? rng.pick(classNames) : rng.pick(distractorNames));
    const tokens = [classNames[label], ...Array.from({ length: gap }, filler), query];
    inputs.push(Array.from(vocab.encode(tokens)));
    targets.push(label);
  }
  return { inputs, targets, vocab, classNames, gap };
}
