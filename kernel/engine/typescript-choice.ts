/**
 * Which TypeScript checks the cells: 7, the native compiler (native-checking.ts), unless the
 * user asks for 5 with SEQLAB_TYPESCRIPT=5 (tslab's converter and two checkers in threads,
 * checkers.ts). TypeScript 7 is an optional dependency (one package per platform): where it
 * is missing, the kernel says so once and checks with TypeScript 5.
 */
import path from "path";

/**
 * The released TypeScript 7 under the name seqlab depends on it by (an npm alias, so that it
 * never takes the place of a project's own `typescript`), and its compiler's package for a
 * platform.
 */
export const TYPESCRIPT7_PACKAGE = "typescript-7";
const compilerPackage = (platform: string, arch: string) => `@typescript/typescript-${platform}-${arch}`;

let warnedAboutSetting = false;

/** The TypeScript SEQLAB_TYPESCRIPT asks for: 5, or 7 (also when unset). */
export function typeScriptFromEnvironment(): 5 | 7 {
  const text = process.env.SEQLAB_TYPESCRIPT?.trim() ?? "";
  if (text === "5") return 5;
  if (text !== "" && text !== "7" && !warnedAboutSetting) {
    warnedAboutSetting = true;
    process.stderr.write(`[seqlab kernel] SEQLAB_TYPESCRIPT must be 7 (the native compiler, the default) or 5, got "${text}"; using 7\n`);
  }
  return 7;
}

/** Whether TypeScript 7 and its compiler for this platform are installed. */
export function typeScript7Installed(): boolean {
  try {
    const api = path.dirname(require.resolve(`${TYPESCRIPT7_PACKAGE}/package.json`));
    require.resolve(`${compilerPackage(process.platform, process.arch)}/package.json`, { paths: [api] });
    return true;
  } catch {
    return false;
  }
}

let told = false;

/** The TypeScript that checks cells: `wanted` (default: what SEQLAB_TYPESCRIPT asks), if installed. */
export function chosenTypeScript(wanted: 5 | 7 = typeScriptFromEnvironment()): 5 | 7 {
  if (wanted === 5 || typeScript7Installed()) return wanted;
  if (!told) {
    told = true;
    process.stderr.write(
      `[seqlab kernel] TypeScript 7 is not installed for ${process.platform}-${process.arch} (the optional ` +
        `dependency ${TYPESCRIPT7_PACKAGE} and its ${compilerPackage(process.platform, process.arch)}): cells are checked with TypeScript 5, which holds about 55 MB more per idle kernel\n`,
    );
  }
  return 5;
}
