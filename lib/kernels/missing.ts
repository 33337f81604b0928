/**
 * Kernels the stock wasm backend lacks but training needs. UnsortedSegmentSum is the
 * gradient of gather, so without it an Embedding layer cannot train on wasm.
 */
import * as tf from "@tensorflow/tfjs";

interface WasmLike {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** out[segmentIds[i], ...] += x[i, ...]; ids outside [0, numSegments) are dropped, as in TensorFlow. */
export function unsortedSegmentSumValues(
  x: ArrayLike<number>,
  rowSize: number,
  segmentIds: ArrayLike<number>,
  numSegments: number,
  out: { [i: number]: number; length: number },
): void {
  for (let i = 0; i < segmentIds.length; i++) {
    const seg = segmentIds[i];
    if (seg < 0 || seg >= numSegments) continue;
    const src = i * rowSize;
    const dst = seg * rowSize;
    for (let j = 0; j < rowSize; j++) out[dst + j] += x[src + j];
  }
}

const unsortedSegmentSumWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const wasm = backend as unknown as WasmLike;
  const idsShape = segmentIds.shape;
  // segmentIds covers the leading dimensions of x; the rest form one row.
  const rest = x.shape.slice(idsShape.length);
  const rowSize = rest.reduce((a, b) => a * b, 1);
  if (x.shape.slice(0, idsShape.length).some((d, i) => d !== idsShape[i])) {
    throw new Error(
      `UnsortedSegmentSum: segmentIds shape [${idsShape}] must be a prefix of x shape [${x.shape}]`,
    );
  }
  const out = wasm.makeOutput([numSegments, ...rest], x.dtype);
  const heap = wasm.typedArrayFromHeap(out);
  heap.fill(0);
  const ids = wasm.readSync(segmentIds.dataId);
  unsortedSegmentSumValues(wasm.readSync(x.dataId), rowSize, ids, numSegments, heap);
  return out;
};

let registered = false;

/** Register every missing kernel once (idempotent; leaves existing kernels alone). */
export function registerMissingKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel("UnsortedSegmentSum", "wasm")) {
    tf.registerKernel({ kernelName: "UnsortedSegmentSum", backendName: "wasm", kernelFunc: unsortedSegmentSumWasm });
  }
}
