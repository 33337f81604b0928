/** Reading a tensor's values into SIMD kernel memory without an extra copy where the backend allows. */
import * as tf from "@tensorflow/tfjs";

/**
 * A tensor's float32 values to copy from right away: on wasm a view of the backend's own
 * heap (no intermediate copy; valid until tfjs allocates again), elsewhere dataSync.
 */
export function floats(t: tf.Tensor): Float32Array {
  if (tf.getBackend() === "wasm") {
    const heap = tf.backend() as unknown as { typedArrayFromHeap?: (info: tf.TensorInfo) => Float32Array };
    if (heap.typedArrayFromHeap && t.dtype === "float32") return heap.typedArrayFromHeap(t);
  }
  return t.dataSync() as Float32Array;
}

/** The id tfjs names a tensor's data by: shared by tensors that share data, never reused once freed. */
export function dataIdOf(t: tf.Tensor): object {
  return (t as unknown as { dataId: object }).dataId;
}
