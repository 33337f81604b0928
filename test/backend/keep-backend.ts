/** Test helper: a suite that switches tfjs backends hands back the one it found. */
import * as tf from "@tensorflow/tfjs";
import { initBackend, useBackend } from "../../lib/backend";

/** Call inside describe(): picks the best backend before the suite, restores the one it found after. */
export function restoreBackendAfterSuite(): void {
  let original: string;
  before(async () => {
    original = tf.getBackend();
    await initBackend();
  });
  after(async () => {
    await useBackend(original);
  });
}
