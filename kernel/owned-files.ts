/**
 * The connection file's directory when the launcher made it for this kernel alone
 * (kernel/jupyter-client.ts does, for `seqlab run` and the tests). The kernel removes it when
 * it exits, so that a launcher killed outright does not leave the key behind in the
 * temporary folder. Connection files written by Jupyter itself are Jupyter's to remove.
 */
import * as fs from "fs";
import * as path from "path";

/** The environment variable through which a launcher hands the kernel its directory. */
export const OWNED_DIR_ENV = "SEQLAB_KERNEL_DIR";

/** The directory to remove at exit: only when the variable names the connection file's own directory. */
export function ownedDir(connectionFile: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const named = env[OWNED_DIR_ENV];
  if (!named) return undefined;
  const dir = path.dirname(path.resolve(connectionFile));
  return path.resolve(named) === dir ? dir : undefined;
}

export function removeOwnedDir(dir: string | undefined): void {
  if (!dir) return;
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch (err) {
    process.stderr.write(`[seqlab kernel] could not remove ${dir}: ${(err as Error).message}\n`);
  }
}
