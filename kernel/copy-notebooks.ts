/**
 * `seqlab notebooks DIR`: copies the lecture and lab notebooks shipped with the package into
 * a folder of the user's choice, where they run unchanged in Jupyter and under `seqlab run`
 * (the kernel resolves seqlab from its own installation when the folder has none). With
 * `--student`, a notebook with parts for students to write (the lab) is written as its
 * student edition (student-edition.ts) under the same name.
 */
import * as fs from "fs";
import * as path from "path";
import { readNotebook, writeNotebook } from "./runner/notebook";
import { countStudentParts, studentEdition } from "./student-edition";

/** The notebooks folder of this installation (dist/kernel/ and kernel/ sit two levels down). */
export function shippedNotebooksDir(): string {
  return path.resolve(__dirname, "..", "..", "notebooks");
}

export interface CopyResult {
  written: string[];
  /** Files left as they were because they exist (without `force`). */
  kept: string[];
}

export interface CopyOptions {
  /** Overwrite notebooks that exist in the target folder. */
  force?: boolean;
  /** Write the student edition of notebooks that have one. */
  student?: boolean;
}

export function copyNotebooks(targetDir: string, options: CopyOptions = {}): CopyResult {
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
    const from = path.join(source, name);
    const nb = options.student ? readNotebook(from) : undefined;
    if (nb && countStudentParts(nb) > 0) writeNotebook(target, studentEdition(nb));
    else fs.copyFileSync(from, target);
    result.written.push(target);
  }
  return result;
}
