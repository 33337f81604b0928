/** Text: vocabularies, encoding, padding and training batches. */
export * from "./rng";
export * from "./tokenize";
export * from "./vocabulary";
export * from "./padding";
export * from "./batches";
