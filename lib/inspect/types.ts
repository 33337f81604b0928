/** Plain-data shapes that lib/inspect returns and lib/viz draws. Numbers only, no tensors. */

/** Gradients through time for one batch. */
export interface GradientsThroughTimeData {
  /** One name per recurrent layer, in model order. */
  layers: string[];
  timeSteps: number;
  /**
   * norms[layer][t] = ||dL/dh_t||: the Frobenius norm over the batch and the units of the
   * total loss gradient reaching hidden state h_t (through the output at t and through
   * every later step).
   */
  norms: number[][];
  /**
   * unitNorms[layer][t][unit]: the norm over the batch of dL/dh_t for one unit (their
   * squares sum to norms[layer][t]²). Absent in records made before it was measured.
   */
  unitNorms?: number[][][];
  /**
   * ratio[layer] = norms[layer][0] / norms[layer][T-1]: how much of the gradient at the
   * last step survives the trip back to the first one. See `verdictFor` for thresholds.
   */
  ratio: number[];
  /** "vanishing", "exploding" or "stable" per layer, joined into one readable sentence. */
  verdict: string;
  /** The batch's mean loss. */
  loss?: number;
  /** Mean loss at each time step (over the batch), when the loss is per time step. */
  stepLoss?: number[];
  /**
   * jacobianNorms[layer][t] = spectral norm of dh_t/dh_{t-1} (largest singular value,
   * power iteration), averaged over the batch; t = 0 uses the initial state. Present when
   * asked for.
   */
  jacobianNorms?: number[][];
}

/** Hidden states of one recurrent layer over a sequence (batch element 0), for heatmaps. */
export interface HiddenStatesData {
  tokens?: string[];
  /** states[t][unit] */
  states: number[][];
  /** The layer the states come from. */
  layer?: string;
  /** Gate activations [t][unit] by gate name, where the cell exposes them. */
  gates?: Record<string, number[][]>;
}
