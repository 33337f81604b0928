/** Neural-network pieces for sequences: readable cells, recurrent layers, attention, seq2seq. */
export * from "./init";
export * from "./cells";
