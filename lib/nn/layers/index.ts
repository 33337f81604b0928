export * from "./recurrent-layer";
export * from "./lab-model";
export * from "./file-io";
