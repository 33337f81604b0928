/** Test helper: a suite that switches tfjs backends hands back the one it found. */
import * as tf from "@tensorflow/tfjs";
import { initBackend, useBackend } from "../../lib/backend";

/** Call inside describe(): picks the best backend before the suite, restores it after. */
export function restoreBackendAfterSuite(): void {
  let original: string;
  before(async () => {
    await initBackend();
    original = tf.getBackend();
  });
  after(async () => {
    await useBackend(original);
  });
}
