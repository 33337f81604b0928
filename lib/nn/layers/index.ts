export * from "./recurrent-layer";
export * from "./lab-model";
