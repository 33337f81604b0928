/** Errors the training loop throws; each says what happened and what to do. */

/** The loss or the gradients became NaN or ±Infinity at `step`. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly loss: number,
    readonly restoredStep: number,
    detail: string,
  ) {
    super(
      `Training stopped at step ${step}: ${detail}. The model holds the weights after step ` +
        `${restoredStep} (the last step with a finite loss); try a lower learning rate or ` +
        `gradient clipping (clip: { globalNorm: 1 }).`,
    );
    this.name = "NonFiniteLossError";
  }
}
