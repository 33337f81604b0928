/**
 * TensorFlow.js kernels (op implementations) the stock wasm backend lacks or runs badly for training. UnsortedSegmentSum is the
 * gradient of gather, so without it an Embedding layer cannot train on wasm. BatchMatMul with
 * a transposed operand (every Dense layer's backward pass) is 5-20x slower there than
 * transposing first, so the replacement transposes explicitly and multiplies plainly.
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

/** Wrap the wasm BatchMatMul so transposed operands are materialised before the product. */
function fastTransposedMatMul(): tf.KernelConfig | undefined {
  const original = tf.getKernel("BatchMatMul", "wasm");
  const transpose = tf.getKernel("Transpose", "wasm");
  if (!original || !transpose) return undefined;
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return original.kernelFunc({ inputs, backend, attrs });
    const temps: tf.TensorInfo[] = [];
    const plain = (t: tf.TensorInfo, flip: boolean): tf.TensorInfo => {
      if (!flip) return t;
      const r = t.shape.length;
      const perm = [...Array(r - 2).keys(), r - 1, r - 2];
      const out = transpose.kernelFunc({ inputs: { x: t }, backend, attrs: { perm } }) as tf.TensorInfo;
      temps.push(out);
      return out;
    };
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    try {
      return original.kernelFunc({
        inputs: { a: plain(a, transposeA), b: plain(b, transposeB) },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of temps) (backend as unknown as { disposeData(id: object): void }).disposeData(t.dataId);
    }
  };
  return { kernelName: "BatchMatMul", backendName: "wasm", kernelFunc };
}

let registered = false;

/** Register every missing kernel once (idempotent; leaves existing kernels alone). */
export function registerMissingKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel("UnsortedSegmentSum", "wasm")) {
    tf.registerKernel({ kernelName: "UnsortedSegmentSum", backendName: "wasm", kernelFunc: unsortedSegmentSumWasm });
  }
  const matMul = fastTransposedMatMul();
  if (matMul) {
    tf.unregisterKernel("BatchMatMul", "wasm"); // replace without the duplicate-registration warning
    tf.registerKernel(matMul);
  }
}
