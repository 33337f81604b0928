/** Readable recurrent cells: one step at a time, every gate exposed. */
export * from "./rnn";
export * from "./lstm";
export * from "./gru";
export * from "./unroll";
export * from "./cell";
