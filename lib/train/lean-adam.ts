/**
 * Adam that frees each variable's temporaries as soon as that variable is updated.
 * tfjs's AdamOptimizer runs its whole update in one tidy, so the ten or so temporaries each
 * variable's update makes (moments, squares, quotients, each the variable's size) all live
 * until the last variable is done: at the lab's size about 220 MB at the top of every step,
 * which the wasm backend's heap then keeps. Here each variable's update has its own tidy.
 * The math, the order of operations, the state (getWeights/setWeights), the class name
 * ("Adam") and so checkpoints are tfjs's own.
 */
import * as tf from "@tensorflow/tfjs";

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

export class LeanAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer["applyGradients"]>[0]): void {
    const s = this as unknown as AdamState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const oneMinusAccBeta1 = tf.tidy(() => tf.sub(1, s.accBeta1));
    const oneMinusAccBeta2 = tf.tidy(() => tf.sub(1, s.accBeta2));
    try {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        s.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        s.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        if (gradient == null) return;
        tf.tidy(() => {
          const m = s.accumulatedFirstMoment[i].variable;
          const v = s.accumulatedSecondMoment[i].variable;
          const newM = tf.add(tf.mul(m, s.beta1), tf.mul(gradient, 1 - s.beta1));
          const newV = tf.add(tf.mul(v, s.beta2), tf.mul(tf.square(gradient), 1 - s.beta2));
          const mHat = tf.div(newM, oneMinusAccBeta1);
          const vHat = tf.div(newV, oneMinusAccBeta2);
          m.assign(newM);
          v.assign(newV);
          value.assign(tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), s.epsilon)), -s.learningRate), value));
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
