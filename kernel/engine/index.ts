/**
 * The execution engine the protocol server loads: `createEngine()` and `languageInfo`
 * (see kernel/contract.ts). TypeScript itself loads in a thread of its own from creation
 * on, so the kernel answers kernel_info before it is ready.
 */
import type { Engine, LanguageInfo } from "../contract";
import { TypeScriptEngine, type EngineOptions } from "./engine";

export { TypeScriptEngine, type EngineOptions } from "./engine";
export { KeyboardInterrupt } from "./context";
export { UsageError } from "./errors";
export { toMimeBundle, plainText, isTensorLike } from "./display";

function typescriptVersion(): string {
  try {
    return (require("@tslab/typescript-for-tslab/package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
}

export const languageInfo: LanguageInfo = {
  name: "typescript",
  version: typescriptVersion(),
  mimetype: "text/typescript",
  file_extension: ".ts",
  codemirror_mode: { name: "javascript", typescript: true },
  pygments_lexer: "typescript",
};

export async function createEngine(options?: EngineOptions): Promise<Engine> {
  return new TypeScriptEngine(options);
}
