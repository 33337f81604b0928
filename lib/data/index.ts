/** Small generated data sets for the lecture notebooks: seeded, offline, plain arrays. */
export * from "./trajectory";
export * from "./long-range";
export * from "./sentiment";
export * from "./translation";
export * from "./next-word";
