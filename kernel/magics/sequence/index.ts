/**
 * The sequence-model magics: thin adapters that read their arguments, take notebook values
 * through the MagicContext, call lib/ and display what comes back. Importing this module
 * registers nothing (tests build registries of their own); `./register` adds them to the
 * kernel's registry.
 */
import type { MagicSpec } from "../types";
import { attentionMagic } from "./attention";
import { generateMagic } from "./generate";
import { gradientsMagic } from "./gradients";
import { playMagic } from "./play";
import { summaryMagic } from "./summary";
import { tokenizeMagic } from "./tokenize";
import { trainMagic } from "./train";

export const sequenceMagics: MagicSpec[] = [tokenizeMagic, summaryMagic, trainMagic, gradientsMagic, attentionMagic, generateMagic, playMagic];

export { attentionMagic, generateMagic, gradientsMagic, playMagic, summaryMagic, tokenizeMagic, trainMagic };
export { TokenTable } from "./tokenize";
export { ModelSummary } from "./summary";
export { describeGradients } from "./gradients";
export type { AttentionResult } from "./attention";
export type { SelfAttentionResult } from "./self-attention";
export type { TrainSettings } from "./train";
