/**
 * One time step of an rnn/lstm/gru recurrence in SIMD kernel memory, shared by the fused
 * recurrence's forward pass (./simd-engine) and batch-1 sampling
 * (lib/train/simd-stepper), with the scratch space it needs and how its weights are packed.
 */
import type { Simd } from "../../simd";
import type { PackSpec } from "../../simd/packed-weights";
import { gateCount } from "../init";
import type { CellKind } from "./types";

/** How the recurrent kernel [U, G*U] is packed: whole, or for a GRU as its [z r] and candidate blocks. */
export function recurrentPackSpecs(kind: CellKind, U: number, transpose: boolean): PackSpec[] {
  const t = transpose ? "T" : "";
  if (kind !== "gru") return [{ role: "R" + t, col0: 0, cols: gateCount(kind) * U, transpose }];
  return [
    { role: "Rzr" + t, col0: 0, cols: 2 * U, transpose },
    { role: "Rh" + t, col0: 2 * U, cols: U, transpose },
  ];
}

/** Scratch space one recurrent step uses: packed h_{t-1} (B x U), and for a GRU h·R[:, :2U] and r*h. */
export interface StepScratch {
  ap: number;
  inner: number;
  rh: number;
}

/** Allocates a step's scratch with `bytes` (e.g. an Arena's). */
export function allocStepScratch(kind: CellKind, B: number, U: number, x: Simd["x"], bytes: (n: number) => number): StepScratch {
  const gru = kind === "gru";
  return { ap: bytes(x.packedASize(B, U)), inner: gru ? bytes(2 * B * U * 4) : 0, rh: gru ? bytes(B * U * 4) : 0 };
}

/**
 * One step of the recurrence in kernel memory. On entry zt (B x G*U) holds x_t·W + b; the
 * step adds h_{t-1}·R and applies the gates, writing h_t to hNext and (LSTM) c_t to cNext.
 * Rps: the packed recurrent kernel (a GRU has two blocks). The state may be updated in
 * place (hNext = hPrev, cNext = cPrev): h_{t-1} is packed before anything is written.
 */
export function recurrentStep(
  k: Simd, kind: CellKind, relu: boolean, B: number, U: number, Rps: number[],
  zt: number, hPrev: number, hNext: number, cPrev: number, cNext: number, s: StepScratch,
): void {
  const x = k.x;
  const GU = gateCount(kind) * U;
  x.packA(hPrev, B, U, U, 0, s.ap);
  if (kind === "lstm" && U % 8 === 0) {
    k.lstmStep(s.ap, Rps[0], zt, B, U, cPrev, cNext, hNext); // product and gates, split by units
  } else if (kind === "lstm") {
    k.gemm(s.ap, Rps[0], zt, B, GU, U, GU, true);
    x.lstmGates(B, U, zt, cPrev, cNext, hNext);
  } else if (kind === "rnn") {
    k.gemm(s.ap, Rps[0], zt, B, U, U, U, true);
    x.rnnActivate(B * U, zt, hNext, relu ? 1 : 0);
  } else {
    k.gemm(s.ap, Rps[0], s.inner, B, 2 * U, U, 2 * U, false);
    x.gruGates(B, U, zt, s.inner, hPrev, s.rh);
    x.packA(s.rh, B, U, U, 0, s.ap);
    k.gemm(s.ap, Rps[1], zt + 2 * U * 4, B, U, U, GU, true);
    x.gruCandidate(B, U, zt, hPrev, hNext);
  }
}
