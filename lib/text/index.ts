/** Text: vocabularies, encoding, padding and training batches. */
export { makeRng, toRng, type Rng, type RngLike } from "../random";
export * from "./tokenize";
export * from "./vocabulary";
export * from "./padding";
export * from "./batches";
export * from "./id-rows";
export * from "./bigram";
