/** Runs a script against the built seqlab (as `sl`) in a fresh Node process: backend and SIMD set-up are process-wide. */
import { spawnSync } from "child_process";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const libIndex = path.join(repoRoot, "dist", "lib", "index.js");

export function runScript(body: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const script = `
    const sl = require(${JSON.stringify(libIndex)});
    (async () => { ${body} })().catch((e) => { console.error("FAILED", e); process.exit(1); });`;
  const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", cwd: repoRoot, env: { ...process.env, SEQLAB_BACKEND: "", ...env } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
