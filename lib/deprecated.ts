/**
 * Old names of public functions, kept so that existing notebooks still run. They were renamed
 * because "kernel" in this project means the Jupyter kernel; seqlab's compute routines are
 * its SIMD kernels.
 */
import type * as tf from "@tensorflow/tfjs";
import { setSimdThreads, simdStatus, simdThreads } from "./simd";
import { simdStepper } from "./train/simd-stepper";
import type { Stepper } from "./train/stepper";

/** @deprecated Renamed: use simdStatus. */
export function kernelsStatus(): ReturnType<typeof simdStatus> {
  return simdStatus();
}

/** @deprecated Renamed: use simdThreads. */
export function kernelThreads(): number {
  return simdThreads();
}

/** @deprecated Renamed: use setSimdThreads. */
export function setKernelThreads(threads: number, minWork?: number): void {
  setSimdThreads(threads, minWork);
}

/** @deprecated Renamed: use simdStepper. */
export function kernelStepper(model: tf.LayersModel): Stepper | undefined {
  return simdStepper(model);
}
