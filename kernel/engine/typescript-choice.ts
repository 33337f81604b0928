/**
 * Which TypeScript checks the cells: 5 (tslab's converter, checkers.ts) unless the user asks
 * for 7 with SEQLAB_TYPESCRIPT=7 (native-checking.ts). TypeScript 7 is an optional dependency
 * (a native compiler, one package per platform): where it is missing, the kernel says so once
 * and checks with TypeScript 5.
 */
import path from "path";

/** Whether the user asked for TypeScript 7 (SEQLAB_TYPESCRIPT=7). */
export function typeScript7Requested(): boolean {
  return process.env.SEQLAB_TYPESCRIPT === "7";
}

/** Whether TypeScript 7 and its compiler for this platform are installed. */
export function typeScript7Installed(): boolean {
  try {
    const api = path.dirname(require.resolve("@typescript/native-preview/package.json"));
    require.resolve(`@typescript/native-preview-${process.platform}-${process.arch}/package.json`, { paths: [api] });
    return true;
  } catch {
    return false;
  }
}

let told = false;

/** The TypeScript that checks cells: `wanted` (default: what SEQLAB_TYPESCRIPT asks), if installed. */
export function chosenTypeScript(wanted: 5 | 7 = typeScript7Requested() ? 7 : 5): 5 | 7 {
  if (wanted === 5 || typeScript7Installed()) return wanted;
  if (!told) {
    told = true;
    process.stderr.write(
      `[seqlab kernel] TypeScript 7 was asked for, but it is not installed for ${process.platform}-${process.arch} ` +
        "(the optional dependency @typescript/native-preview): cells are checked with TypeScript 5\n",
    );
  }
  return 5;
}
