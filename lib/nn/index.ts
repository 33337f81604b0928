/** Neural-network pieces for sequences: readable cells, recurrent layers, attention, seq2seq, self-attention and Transformers. */
export * from "./fused";
export * from "./init";
export * from "./orthogonal";
export * from "./cells";
export * from "./recurrence";
export * from "./layers";
export * from "./attention";
export * from "./seq2seq";
export * from "./seq2seq-eval";
export * from "./self-attention";
export * from "./positional";
export * from "./layer-norm";
export * from "./transformer";
