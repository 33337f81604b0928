// Adam's update of one variable, run in place on TensorFlow.js's own WebAssembly heap: this
// module imports the wasm backend's memory (so it must hold no data of its own: the build
// checks it has no data segment), and reads and writes tensors there by byte offset.
//
// The arithmetic is tfjs's AdamOptimizer's, operation for operation in float32 (no fused
// multiply-add), so the result is the same to the bit as the dozen tfjs ops it replaces;
// it reads each input and writes each output once instead of making eleven temporaries.

export function adamUpdate(
  w: usize, g: usize, m: usize, v: usize, wOut: usize, mOut: usize, vOut: usize, n: i32,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  oneMinusAccBeta1: f32, oneMinusAccBeta2: f32, negLearningRate: f32, epsilon: f32,
): void {
  const b1 = f32x4.splat(beta1), ob1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2), ob2 = f32x4.splat(oneMinusBeta2);
  const c1 = f32x4.splat(oneMinusAccBeta1), c2 = f32x4.splat(oneMinusAccBeta2);
  const lr = f32x4.splat(negLearningRate), eps = f32x4.splat(epsilon);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    const gi = v128.load(g + at);
    const mi = f32x4.add(f32x4.mul(v128.load(m + at), b1), f32x4.mul(gi, ob1));
    const vi = f32x4.add(f32x4.mul(v128.load(v + at), b2), f32x4.mul(f32x4.mul(gi, gi), ob2));
    v128.store(mOut + at, mi);
    v128.store(vOut + at, vi);
    const denominator = f32x4.add(f32x4.sqrt(f32x4.div(vi, c2)), eps);
    const quotient = f32x4.div(f32x4.div(mi, c1), denominator);
    v128.store(wOut + at, f32x4.add(f32x4.mul(quotient, lr), v128.load(w + at)));
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    const gi = load<f32>(g + at);
    const mi = load<f32>(m + at) * beta1 + gi * oneMinusBeta1;
    const vi = load<f32>(v + at) * beta2 + gi * gi * oneMinusBeta2;
    store<f32>(mOut + at, mi);
    store<f32>(vOut + at, vi);
    const denominator = Mathf.sqrt(vi / oneMinusAccBeta2) + epsilon;
    store<f32>(wOut + at, (mi / oneMinusAccBeta1 / denominator) * negLearningRate + load<f32>(w + at));
  }
}
