#!/usr/bin/env node
// Compile seqlab's AssemblyScript kernels (lib/simd/assembly/*.as) to WebAssembly with SIMD.
// The sources carry a .as extension so the project's tsc does not try to compile them;
// asc wants .ts, so each is copied under build/ first.
// - recurrence.as (the products and gates) is built twice: with plain SIMD
//   (dist/lib/simd/recurrence.wasm) and with relaxed SIMD as well (recurrence.relaxed.wasm:
//   fused multiply-add), which the loader prefers when the running V8 accepts it; its memory
//   is shared with worker threads.
// - adam.as runs on the TensorFlow.js wasm backend's own memory, imported as it is (not
//   shared), so it must write nothing there when instantiated: the build checks it does not.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const srcDir = path.join(root, "lib", "simd", "assembly");
const stageDir = path.join(root, "build", "kernels-src");
const outDir = path.join(root, "dist", "lib", "simd");

async function main() {
  const asc = await import("assemblyscript/asc");
  fs.mkdirSync(stageDir, { recursive: true });
  fs.mkdirSync(outDir, { recursive: true });
  const builds = [
    ...[false, true].map((relaxed) => ({
      file: "recurrence.as",
      out: relaxed ? "recurrence.relaxed.wasm" : "recurrence.wasm",
      flags: [
        ...(relaxed ? ["--enable", "relaxed-simd"] : []),
        "--enable", "threads",
        // Shared memory imported from JS, so worker threads can run kernels on the same data.
        "--importMemory", "--sharedMemory",
        "--initialMemory", "64", "--maximumMemory", "32768",
        "--runtime", "minimal", // heap.alloc/heap.free backed by TLSF, no automatic GC
      ],
    })),
    // No allocator and no data: the memory is TensorFlow.js's.
    { file: "adam.as", out: "adam.wasm", flags: ["--importMemory", "--initialMemory", "1", "--runtime", "stub"], noData: true },
  ];
  for (const build of builds) {
    const staged = path.join(stageDir, build.file.replace(/\.as$/, ".ts"));
    fs.copyFileSync(path.join(srcDir, build.file), staged);
    const out = path.join(outDir, build.out);
    const { error, stderr } = await asc.main([staged, "--outFile", out, "-O3", "--noAssert", "--enable", "simd", ...build.flags]);
    if (error) {
      process.stderr.write(stderr.toString());
      throw new Error(`asc failed on ${build.file}: ${error.message}`);
    }
    if (build.noData && writesOnInstantiation(fs.readFileSync(out))) {
      throw new Error(`${build.out} writes into the memory it imports when instantiated (a data segment); keep constants out of ${build.file}`);
    }
    process.stdout.write(`built ${path.relative(root, out)} (${fs.statSync(out).size} bytes)\n`);
  }
}

/**
 * Whether instantiating the module writes into the memory it imports (a data segment would):
 * instantiated on a fresh zeroed memory, is any byte no longer zero?
 */
function writesOnInstantiation(bytes) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return new Uint8Array(memory.buffer).some((b) => b !== 0);
}

main().catch((err) => {
  process.stderr.write(`build-kernels: ${err.message}\n`);
  process.exit(1);
});
