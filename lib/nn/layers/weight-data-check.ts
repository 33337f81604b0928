/**
 * Checks the bytes of a saved model's weights against its manifest: a truncated or foreign
 * weights.bin fails naming itself and the size it should have; NaN or ±Infinity loads,
 * with a warning naming the weights that hold them.
 */
import type * as tf from "@tensorflow/tfjs";

/** Bytes one weight takes in weights.bin, or undefined when it cannot be known (strings). */
function weightBytes(spec: tf.io.WeightsManifestEntry): number | undefined {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const bytes: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };
  return bytes[dtype] === undefined ? undefined : size * bytes[dtype];
}

/** Names of the float32 weights in `data` that hold NaN or ±Infinity. */
function nonFiniteWeights(specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer): string[] {
  const names: string[] = [];
  let offset = 0;
  for (const spec of specs) {
    const bytes = weightBytes(spec) ?? 0;
    if (spec.dtype === "float32" && !spec.quantization) {
      // A view needs 4-byte alignment; after a bool weight the offset may lack it.
      const values = offset % 4 === 0 ? new Float32Array(data, offset, bytes / 4) : new Float32Array(data.slice(offset, offset + bytes));
      if (!values.every(Number.isFinite)) names.push(spec.name);
    }
    offset += bytes;
  }
  return names;
}

/**
 * Checks weights.bin against the manifest: a truncated file must fail naming itself and the
 * size it should have, and non-finite values load but are named in a warning.
 */
export function checkWeightData(specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer, files: string[], modelPath: string): void {
  const sizes = specs.map(weightBytes);
  if (sizes.some((b) => b === undefined)) return;
  const expected = (sizes as number[]).reduce((a, b) => a + b, 0);
  if (data.byteLength !== expected) {
    throw new Error(
      `${files.join(", ")} holds ${data.byteLength} bytes but ${modelPath} lists ${specs.length} weights taking ${expected} bytes; ` +
        `the file is truncated or belongs to another model. Save the model again.`,
    );
  }
  const bad = nonFiniteWeights(specs, data);
  if (bad.length > 0) {
    console.warn(`Warning: ${files.join(", ")}: weights ${bad.join(", ")} hold NaN or ±Infinity; the model will predict NaN. Was it saved from a diverged run?`);
  }
}
