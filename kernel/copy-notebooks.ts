/**
 * `seqlab notebooks DIR`: copies the lecture and lab notebooks shipped with the package into
 * a folder of the user's choice, where they run unchanged in Jupyter and under `seqlab run`
 * (the kernel resolves seqlab from its own installation when the folder has none).
 */
import * as fs from "fs";
import * as path from "path";

/** The notebooks folder of this installation (dist/kernel/ and kernel/ sit two levels down). */
export function shippedNotebooksDir(): string {
  return path.resolve(__dirname, "..", "..", "notebooks");
}

export interface CopyResult {
  written: string[];
  /** Files left as they were because they exist (without `force`). */
  kept: string[];
}

export function copyNotebooks(targetDir: string, options: { force?: boolean } = {}): CopyResult {
  const source = shippedNotebooksDir();
  if (!fs.existsSync(source)) throw new Error(`no notebooks found at ${source}: this installation of seqlab is incomplete`);
  const names = fs.readdirSync(source).filter((n) => n.endsWith(".ipynb")).sort();
  fs.mkdirSync(targetDir, { recursive: true });
  const result: CopyResult = { written: [], kept: [] };
  for (const name of names) {
    const target = path.join(targetDir, name);
    if (fs.existsSync(target) && !options.force) {
      result.kept.push(target);
      continue;
    }
    fs.copyFileSync(path.join(source, name), target);
    result.written.push(target);
  }
  return result;
}
