/** seqlab: sequence models on TensorFlow.js. Import as `import * as sl from "seqlab"`. */
export * from "./runtime";
export { comms, type BufferLike, type Comm, type CommHost, type CommMessage, type CommTargetHandler } from "./comms";
export * from "./backend";
export * from "./random";
export * from "./claims";
export * from "./text";
export * from "./nn";
export * from "./train";
export * from "./inspect";
export * from "./viz";
export * from "./music";
export * from "./data";
export * as widgets from "./widgets";
export * as labChecks from "./lab1-checks";
export * from "./deprecated";
/** The one TensorFlow.js instance seqlab uses, for cells and scripts that want no import of their own. */
export * as tf from "@tensorflow/tfjs";
