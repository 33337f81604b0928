#!/usr/bin/env node
// Compile seqlab's AssemblyScript kernels (lib/simd/assembly/*.as) to WebAssembly with SIMD.
// The sources carry a .as extension so the project's tsc does not try to compile them;
// asc wants .ts, so each is copied under build/ first. Each is built twice: with plain SIMD
// (dist/lib/simd/<name>.wasm) and with relaxed SIMD as well (<name>.relaxed.wasm: fused
// multiply-add), which the loader prefers when the running V8 accepts it.
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
  const sources = fs.readdirSync(srcDir).filter((f) => f.endsWith(".as"));
  for (const file of sources) {
    const name = path.basename(file, ".as");
    const staged = path.join(stageDir, `${name}.ts`);
    fs.copyFileSync(path.join(srcDir, file), staged);
    for (const relaxed of [false, true]) {
      const out = path.join(outDir, relaxed ? `${name}.relaxed.wasm` : `${name}.wasm`);
      const { error, stderr } = await asc.main([
        staged,
        "--outFile", out,
        "-O3", "--noAssert",
        "--enable", "simd",
        ...(relaxed ? ["--enable", "relaxed-simd"] : []),
        "--enable", "threads",
        // Shared memory imported from JS, so worker threads can run kernels on the same data.
        "--importMemory", "--sharedMemory",
        "--initialMemory", "64", "--maximumMemory", "32768",
        "--runtime", "minimal", // heap.alloc/heap.free backed by TLSF, no automatic GC
      ]);
      if (error) {
        process.stderr.write(stderr.toString());
        throw new Error(`asc failed on ${file}: ${error.message}`);
      }
      process.stdout.write(`built ${path.relative(root, out)} (${fs.statSync(out).size} bytes)\n`);
    }
  }
}

main().catch((err) => {
  process.stderr.write(`build-kernels: ${err.message}\n`);
  process.exit(1);
});
