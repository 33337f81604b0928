/** Looking inside sequence models: gradients through time, Jacobians, hidden states — as numbers. */
export * from "./types";
export * from "./verdict";
export * from "./probe";
export * from "./gradients";
export * from "./jacobian";
export * from "./hidden";
export * from "./summary";
export * from "./units";
export * from "./self-attention";
