/** Training: the async loop, clipping, truncated BPTT, checkpoints, sampling. */
export { StatefulRng, type RngState } from "../random";
export * from "./clip";
export * from "./errors";
export * from "./history";
export * from "./optimizer";
export { LeanAdamOptimizer, leanAdam } from "./lean-adam";
export * from "./checkpoint";
export * from "./tbptt";
export * from "./losses";
export * from "./unroll";
export * from "./loop";
export * from "./model";
export * from "./model-variables";
export * from "./sample";
export * from "./sampler-check";
export { simdStepper } from "./simd-stepper";
export { contextStepper } from "./context-stepper";
