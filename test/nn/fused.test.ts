import * as tf from "@tensorflow/tfjs";
import { expect } from "chai";
import { useBackend } from "../../lib/backend";
import { fusedRecurrence, recurrenceEngineName, type CellKind, type RecurrenceOptions } from "../../lib/nn/fused";
import { DEFAULT_MIN_WORK, simdThreads, setSimdThreads } from "../../lib/simd";
import { restoreBackendAfterSuite } from "../backend/keep-backend";
import { fixed, lossOf, makeProblem, maxAbs, maxAbsDiff, problemInputs, unrolled, type Problem } from "./fused-helpers";

const CASES: { kind: CellKind; relu: boolean; label: string }[] = [
  { kind: "rnn", relu: false, label: "rnn (tanh)" },
  { kind: "rnn", relu: true, label: "rnn (relu)" },
  { kind: "lstm", relu: false, label: "lstm" },
  { kind: "gru", relu: false, label: "gru" },
];

function runFused(p: Problem, ins: tf.Tensor[], options: RecurrenceOptions = {}) {
  const [x, kernel, recurrentKernel, bias, h, c] = ins;
  return fusedRecurrence(
    p.kind,
    x as tf.Tensor3D,
    { kernel: kernel as tf.Tensor2D, recurrentKernel: recurrentKernel as tf.Tensor2D, bias: bias as tf.Tensor1D },
    { h: h as tf.Tensor2D, c: c as tf.Tensor2D | undefined },
    { activation: p.kind === "rnn" ? (p.relu ? "relu" : "tanh") : undefined, ...options },
  );
}

/** Loss and gradients (x, weights, initial state) through the fused op. */
function fusedGrads(p: Problem, options: RecurrenceOptions = {}) {
  const f = (...ins: tf.Tensor[]) => {
    const r = runFused(p, ins, options);
    return lossOf(p, r.outputs, r.state.h, r.state.c);
  };
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads(f)(problemInputs(p));
    return { loss: value.dataSync()[0], grads: grads.map((g) => g.dataSync()) };
  });
}

/** A tfjs-layers layer with the same weights; recurrentActivation sigmoid as in Keras 2 / PyTorch. */
function layersOutputs(p: Problem) {
  const units = p.recurrentKernel.shape[0];
  const common = { units, returnSequences: true, returnState: true, weights: [p.kernel, p.recurrentKernel, p.bias] };
  const layer =
    p.kind === "rnn"
      ? tf.layers.simpleRNN({ ...common, activation: p.relu ? "relu" : "tanh" })
      : p.kind === "lstm"
        ? tf.layers.lstm({ ...common, recurrentActivation: "sigmoid" })
        : tf.layers.gru({ ...common, recurrentActivation: "sigmoid" });
  const initialState = p.c0 ? [p.h0, p.c0] : [p.h0];
  const out = layer.apply(p.x, { initialState }) as tf.Tensor[];
  return { outputs: out[0], h: out[1], c: out[2], layer };
}

for (const engine of ["tfjs", "simd"] as const) describe(`nn/fused: fusedRecurrence (${engine} engine)`, () => {
  restoreBackendAfterSuite();

  for (const c of CASES) {
    it(`${c.label}: outputs, final state and gradients equal tfjs-layers`, () => {
      tf.tidy(() => {
        const p = makeProblem(c.kind, 3, 5, 4, 6, c.relu);
        const ours = runFused(p, problemInputs(p), { engine });
        const ref = layersOutputs(p);
        expect(maxAbsDiff(ours.outputs.dataSync(), ref.outputs.dataSync())).to.be.lessThan(1e-5);
        expect(maxAbsDiff(ours.state.h.dataSync(), ref.h.dataSync())).to.be.lessThan(1e-5);
        if (c.kind === "lstm") expect(maxAbsDiff(ours.state.c!.dataSync(), ref.c.dataSync())).to.be.lessThan(1e-5);

        // Gradients through the layer: its weights are variables; x and the state become variables too.
        const xs = problemInputs(p).map((t) => tf.variable(t.clone()));
        const layerVars = ref.layer.trainableWeights.map((w) => w.read() as tf.Variable);
        const [xv, , , , hv, cv] = xs;
        const { grads } = tf.variableGrads(() => {
          const out = ref.layer.apply(xv, { initialState: cv ? [hv, cv] : [hv] }) as tf.Tensor[];
          return lossOf(p, out[0], out[1], out[2]);
        }, [xv, ...layerVars, hv, ...(cv ? [cv] : [])]);
        const want = [grads[xv.name], ...layerVars.map((v) => grads[v.name]), grads[hv.name], ...(cv ? [grads[cv.name]] : [])];
        const got = fusedGrads(p, { engine }).grads;
        want.forEach((w, i) => {
          const wd = w.dataSync();
          expect(maxAbs(wd), `gradient ${i} is non-trivial`).to.be.greaterThan(1e-3);
          expect(maxAbsDiff(got[i], wd), `gradient ${i}`).to.be.lessThan(1e-4 * Math.max(1, maxAbs(wd)));
        });
        xs.forEach((v) => v.dispose());
        ref.layer.dispose();
      });
    });

    it(`${c.label}: gradients match central finite differences`, () => {
      tf.tidy(() => {
        const p = makeProblem(c.kind, 2, 3, 3, 4, c.relu);
        const inputs = problemInputs(p);
        const got = fusedGrads(p, { engine }).grads;
        const lossAt = (ins: tf.Tensor[]) =>
          tf.tidy(() => {
            const r = runFused(p, ins, { engine });
            return lossOf(p, r.outputs, r.state.h, r.state.c).dataSync()[0];
          });
        const eps = 1e-2;
        inputs.forEach((input, which) => {
          const base = input.dataSync().slice() as Float32Array;
          // A handful of coordinates per input keeps the test fast.
          for (const k of [0, Math.floor(base.length / 2), base.length - 1]) {
            const plus = base.slice(); plus[k] += eps;
            const minus = base.slice(); minus[k] -= eps;
            const at = (v: Float32Array) => lossAt(inputs.map((t, j) => (j === which ? tf.tensor(v, t.shape) : t)));
            const numeric = (at(plus) - at(minus)) / (2 * eps);
            expect(got[which][k], `input ${which} coordinate ${k}`).to.be.closeTo(numeric, 3e-3 + 1e-2 * Math.abs(numeric));
          }
        });
      });
    });

    it(`${c.label}: onHiddenGradient gives dL/dh_t (checked with zero probes added to h_t)`, () => {
      tf.tidy(() => {
        const p = makeProblem(c.kind, 2, 4, 3, 5, c.relu);
        let reported: Float32Array | undefined;
        let shape: number[] = [];
        tf.grads((...ins: tf.Tensor[]) => {
          const r = runFused(p, ins, {
            engine,
            onHiddenGradient: (dh) => {
              reported = dh.dataSync() as Float32Array;
              shape = dh.shape;
              dh.dispose();
            },
          });
          return lossOf(p, r.outputs, r.state.h, r.state.c);
        })(problemInputs(p));
        const [B, T] = p.x.shape;
        const U = p.recurrentKernel.shape[0];
        const probes = Array.from({ length: T }, () => tf.zeros([B, U]));
        const probeGrads = tf.grads((...pr: tf.Tensor[]) => {
          const r = unrolled(p, problemInputs(p), pr);
          return lossOf(p, r.outputs, r.h, r.c);
        })(probes);
        const want = tf.stack(probeGrads, 1); // [B, T, U]
        expect(shape).to.deep.equal([B, T, U]);
        expect(maxAbs(want.dataSync())).to.be.greaterThan(1e-2);
        expect(maxAbsDiff(reported!, want.dataSync())).to.be.lessThan(1e-4);
      });
    });
  }

  it("leaks no tensors through forward and backward", () => {
    for (const c of CASES) {
      const p = makeProblem(c.kind, 2, 3, 3, 4, c.relu);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        fusedGrads(p, { engine });
        const r = runFused(p, problemInputs(p), { engine });
        r.outputs.dataSync();
      });
      expect(tf.memory().numTensors, c.label).to.equal(before);
    }
  });

  it("hands the dL/dh_t tensor to the callback, which owns it", () => {
    const p = makeProblem("lstm", 2, 3, 3, 4);
    let kept: tf.Tensor | undefined;
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads((...ins: tf.Tensor[]) => {
        const r = runFused(p, ins, { engine, onHiddenGradient: (dh) => (kept = dh) });
        return lossOf(p, r.outputs, r.state.h, r.state.c);
      })(problemInputs(p));
    });
    expect(kept!.isDisposed).to.equal(false);
    expect(tf.memory().numTensors).to.equal(before + 1);
    kept!.dispose();
  });

  if (engine === "tfjs") describe("bad input", () => {
    const tryRun = (kind: CellKind, mutate: (p: Problem) => void, options: RecurrenceOptions = {}) => {
      const p = makeProblem(kind, 2, 3, 3, 4);
      mutate(p);
      const before = tf.memory().numTensors;
      let message = "";
      try {
        tf.tidy(() => {
          runFused(p, problemInputs(p), options);
        });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(tf.memory().numTensors, "no tensor leaked").to.equal(before);
      return message;
    };

    it("names the argument, its shape and the expected shape", () => {
      expect(tryRun("lstm", (p) => (p.kernel = fixed([5, 16], 1) as tf.Tensor2D))).to.match(
        /weights\.kernel must be \[3, 16\], got \[5, 16\]/,
      );
      expect(tryRun("gru", (p) => (p.recurrentKernel = fixed([4, 16], 1) as tf.Tensor2D))).to.match(
        /recurrentKernel must be \[4, 12\], got \[4, 16\]/,
      );
      expect(tryRun("rnn", (p) => (p.bias = fixed([5], 1) as tf.Tensor1D))).to.match(/bias must be \[4\], got \[5\]/);
      expect(tryRun("rnn", (p) => (p.h0 = fixed([3, 4], 1) as tf.Tensor2D))).to.match(/initial\.h must be \[2, 4\], got \[3, 4\]/);
      expect(tryRun("lstm", (p) => (p.c0 = undefined))).to.match(/initial\.c must be \[2, 4\], got missing/);
      expect(tryRun("rnn", (p) => (p.x = fixed([2, 3], 1) as unknown as tf.Tensor3D))).to.match(/x must be \[batch, time, inputDim\]/);
      expect(tryRun("gru", () => undefined, { activation: "relu" })).to.match(/activation applies to "rnn" only/);
    });
  });
});

describe("nn/fused: WebAssembly SIMD kernels against the tfjs engine", () => {
  restoreBackendAfterSuite();

  for (const backend of ["wasm", "cpu"]) {
    for (const c of CASES) {
      // The last: inputs whose rows repeat (3 distinct, as an embedding's output), which the
      // SIMD engine's input products run on once each.
      for (const [B, T, D, U, distinct] of [[5, 7, 9, 13, 0], [1, 3, 5, 9, 0], [2, 4, 6, 16, 0], [6, 5, 8, 16, 3]])
      it(`${c.label} on ${backend}, batch ${B}: same outputs, states, gradients and dL/dh_t at ${U % 8 ? "uneven sizes" : "units a multiple of 8"}${distinct ? `, inputs of ${distinct} distinct rows` : ""}`, async () => {
        await useBackend(backend);
        const p = makeProblem(c.kind, B, T, D, U, c.relu);
        if (distinct) {
          const table = fixed([distinct, D], 11, 1);
          const ids = tf.tensor2d(Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (b * 7 + t * 3 + (t >> 1)) % distinct)), [B, T], "int32");
          p.x.dispose();
          p.x = tf.gather(table, ids) as tf.Tensor3D;
          tf.dispose([table, ids]);
        }
        const run = (engine: "tfjs" | "simd") =>
          tf.tidy(() => {
            let dh: Float32Array | undefined;
            const f = (...ins: tf.Tensor[]) => {
              const r = runFused(p, ins, {
                engine,
                onHiddenGradient: (t) => {
                  dh = t.dataSync() as Float32Array;
                  t.dispose();
                },
              });
              return lossOf(p, r.outputs, r.state.h, r.state.c);
            };
            const { value, grads } = tf.valueAndGrads(f)(problemInputs(p));
            const fwd = runFused(p, problemInputs(p), { engine });
            return {
              loss: value.dataSync()[0],
              grads: grads.map((g) => g.dataSync()),
              outputs: fwd.outputs.dataSync(),
              h: fwd.state.h.dataSync(),
              c: fwd.state.c?.dataSync(),
              dh: dh!,
            };
          });
        const want = run("tfjs");
        const before = tf.memory().numTensors;
        const got = run("simd");
        expect(tf.memory().numTensors, "no tensor leaked").to.equal(before);
        expect(got.loss).to.be.closeTo(want.loss, 1e-3 * Math.max(1, Math.abs(want.loss)));
        expect(maxAbsDiff(got.outputs, want.outputs)).to.be.lessThan(1e-5);
        expect(maxAbsDiff(got.h, want.h)).to.be.lessThan(1e-5);
        if (want.c) expect(maxAbsDiff(got.c!, want.c)).to.be.lessThan(1e-5);
        expect(maxAbsDiff(got.dh, want.dh)).to.be.lessThan(1e-4 * Math.max(1, maxAbs(want.dh)));
        want.grads.forEach((g, i) => {
          expect(maxAbs(g), `gradient ${i} is non-trivial`).to.be.greaterThan(1e-3);
          expect(maxAbsDiff(got.grads[i], g), `gradient ${i}`).to.be.lessThan(1e-4 * Math.max(1, maxAbs(g)));
        });
        p.x.dispose();
      });
    }
  }

  // Units 21: the product split by panels, then the gates on this thread. Units 40 (five blocks
  // of 8 over three threads, unevenly): the step split by units, each thread its units' gates.
  for (const U of [21, 40]) {
    it(`gives identical results when the work is split over worker threads (lstm, ${U} units)`, async () => {
      await useBackend("wasm");
      const saved = simdThreads();
      const p = makeProblem("lstm", 3, 4, 9, U);
      const run = () =>
        tf.tidy(() => {
          const f = (...ins: tf.Tensor[]) => {
            const r = runFused(p, ins, { engine: "simd" });
            return lossOf(p, r.outputs, r.state.h, r.state.c);
          };
          return tf.grads(f)(problemInputs(p)).map((g) => Array.from(g.dataSync()));
        });
      try {
        setSimdThreads(1);
        const single = run();
        setSimdThreads(3, 0); // split even tiny products, across more threads than panels allow evenly
        expect(simdThreads()).to.equal(3);
        expect(run()).to.deep.equal(single);
      } finally {
        setSimdThreads(saved, DEFAULT_MIN_WORK);
      }
    });
  }

  it("picks the SIMD kernels on wasm and cpu by default, and for engine \"simd\" or its old name \"kernels\"", async () => {
    for (const backend of ["wasm", "cpu"]) {
      await useBackend(backend);
      expect(recurrenceEngineName("lstm")).to.equal("wasm-simd");
      expect(recurrenceEngineName("lstm", { engine: "simd" })).to.equal("wasm-simd");
      expect(recurrenceEngineName("lstm", { engine: "kernels" })).to.equal("wasm-simd");
      expect(recurrenceEngineName("lstm", { engine: "tfjs" })).to.equal("tfjs");
    }
  });
});
