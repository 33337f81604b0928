/**
 * Adam that frees each temporary of its update as soon as it has been read.
 * tfjs's AdamOptimizer runs its whole update in one tidy, so the temporaries each variable's
 * update makes (moments, squares, quotients, each the variable's size) all live until the
 * last variable is done, and the wasm backend's heap then keeps that high-water mark. Here
 * each temporary is freed as soon as it has been read: one tidy per variable would still keep
 * fourteen of its size (230 MB for the lab's recurrent kernel), this keeps three.
 * On the wasm backend each variable's update is one pass of a kernel over tfjs's heap
 * (lib/simd/adam.ts), the same float32 operations in the same order, with no temporaries.
 * The math, the order of operations, the state (getWeights/setWeights), the class name
 * ("Adam") and so checkpoints are tfjs's own.
 */
import * as tf from "@tensorflow/tfjs";
import { fusedAdamUpdate } from "../simd/adam";

/** The AdamOptimizer fields TypeScript calls private (tfjs-core 4.x). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/** `result`, after freeing the temporaries it was computed from. */
function consumed<T extends tf.Tensor>(result: T, ...inputs: tf.Tensor[]): T {
  tf.dispose(inputs);
  return result;
}

/** `variable` takes `value`'s data (its old data is freed); `value` itself is let go. */
function replace(variable: tf.Variable, value: tf.Tensor): void {
  variable.assign(value);
  value.dispose();
}

export class LeanAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer["applyGradients"]>[0]): void {
    const s = this as unknown as AdamState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const oneMinusAccBeta1 = tf.tidy(() => tf.sub(1, s.accBeta1));
    const oneMinusAccBeta2 = tf.tidy(() => tf.sub(1, s.accBeta2));
    const settings = {
      beta1: s.beta1, beta2: s.beta2, learningRate: s.learningRate, epsilon: s.epsilon,
      oneMinusAccBeta1: oneMinusAccBeta1.dataSync()[0], oneMinusAccBeta2: oneMinusAccBeta2.dataSync()[0],
    };
    try {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        s.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        s.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        if (gradient == null) return;
        const m = s.accumulatedFirstMoment[i].variable;
        const v = s.accumulatedSecondMoment[i].variable;
        const fused = fusedAdamUpdate(value, gradient, m, v, settings);
        if (fused) {
          replace(m, fused.m);
          replace(v, fused.v);
          replace(value, fused.w);
          return;
        }
        tf.tidy(() => {
          // tfjs's formula, op for op; each temporary is freed as soon as the next op has read
          // it, and a moment is replaced as soon as its new value exists (nothing reads the old
          // one after), so an update holds about three of the variable's size at any moment.
          const decayedM = tf.mul(m, s.beta1);
          const scaledGradient = tf.mul(gradient, 1 - s.beta1);
          replace(m, consumed(tf.add(decayedM, scaledGradient), decayedM, scaledGradient));
          const decayedV = tf.mul(v, s.beta2);
          const squared = tf.square(gradient);
          const scaledSquare = consumed(tf.mul(squared, 1 - s.beta2), squared);
          replace(v, consumed(tf.add(decayedV, scaledSquare), decayedV, scaledSquare));
          const mHat = tf.div(m, oneMinusAccBeta1);
          const vHat = tf.div(v, oneMinusAccBeta2);
          const root = consumed(tf.sqrt(vHat), vHat);
          const denominator = consumed(tf.add(root, s.epsilon), root);
          const quotient = consumed(tf.div(mHat, denominator), mHat, denominator);
          const step = consumed(tf.mul(quotient, -s.learningRate), quotient);
          replace(value, consumed(tf.add(step, value), step));
        });
      });
      tf.tidy(() => {
        s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
        s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
      });
    } finally {
      tf.dispose([oneMinusAccBeta1, oneMinusAccBeta2]);
    }
    this.incrementIterations();
  }
}

/** tf.train.adam's signature, for the lean optimizer (epsilon: the backend's, as tfjs's default). */
export function leanAdam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): LeanAdamOptimizer {
  return new LeanAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
