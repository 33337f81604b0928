/**
 * The SIMD kernels' old "kernel" names still work: SEQLAB_KERNEL_THREADS with one deprecation
 * warning, and the old public functions as aliases of the new ones.
 */
import { expect } from "chai";
import { runScript } from "./script";

const OLD_VARIABLE_WARNING = /SEQLAB_KERNEL_THREADS is deprecated; set SEQLAB_SIMD_THREADS instead/g;
const threadsScript = `
  await sl.ready();
  sl.simdStatus();
  sl.backendInfo();
  console.log(sl.simdThreads());`;

describe("backend: SIMD kernels' old names", function () {
  this.timeout(60000);

  it("SEQLAB_SIMD_THREADS sets the thread count, without a warning", () => {
    const run = runScript(threadsScript, { SEQLAB_SIMD_THREADS: "3", SEQLAB_KERNEL_THREADS: "" });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout.trim()).to.equal("3");
    expect(run.stderr).to.equal("");
  });

  it("SEQLAB_KERNEL_THREADS still sets it, with one deprecation warning naming the new variable", () => {
    const run = runScript(threadsScript, { SEQLAB_SIMD_THREADS: "", SEQLAB_KERNEL_THREADS: "3" });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout.trim()).to.equal("3");
    expect(run.stderr.match(OLD_VARIABLE_WARNING)).to.have.length(1);
    expect(run.stderr).to.contain("DeprecationWarning");
  });

  it("SEQLAB_SIMD_THREADS wins over the old variable", () => {
    const run = runScript(threadsScript, { SEQLAB_SIMD_THREADS: "2", SEQLAB_KERNEL_THREADS: "3" });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout.trim()).to.equal("2");
  });

  it("kernelsStatus, kernelThreads, setKernelThreads and kernelStepper act as their simd* replacements", () => {
    const run = runScript(`
      await sl.ready();
      sl.setKernelThreads(2);
      const model = sl.tf.sequential({ layers: [
        sl.tf.layers.embedding({ inputDim: 5, outputDim: 3, inputShape: [null] }),
        sl.lstmLayer({ units: 4, returnSequences: true }),
        sl.tf.layers.dense({ units: 5 }),
      ] });
      const stepper = sl.kernelStepper(model);
      console.log(JSON.stringify({
        threads: [sl.kernelThreads(), sl.simdThreads()],
        status: sl.kernelsStatus(),
        same: JSON.stringify(sl.kernelsStatus()) === JSON.stringify(sl.simdStatus()),
        stepped: stepper ? Array.from(stepper.step([1])).length : "no stepper",
      }));`);
    expect(run.status, run.stderr).to.equal(0);
    const got = JSON.parse(run.stdout.trim());
    expect(got.threads).to.deep.equal([2, 2]);
    expect(got.status.available).to.equal(true);
    expect(got.same).to.equal(true);
    expect(got.stepped).to.equal(5);
  });
});
