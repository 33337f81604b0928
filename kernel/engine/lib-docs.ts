/**
 * The quick checker (checkers.ts) reads TypeScript's standard library without its doc
 * comments. Parsing them (a third of the library's text) was a sixth of the time to the
 * first result, and only quick info shows them: the quick checker never answers inspect or
 * complete, and its messages are never shown (a cell it rejects goes to the full checker,
 * which reads the library as it is). Doc comments carry no types in .d.ts files.
 */
import path from "path";
import type * as TS from "@tslab/typescript-for-tslab";

const DOC_COMMENT = /\/\*\*[\s\S]*?\*\//g;

/** `text` without its /** ... *\/ comments. */
export function withoutDocComments(text: string): string {
  return text.replace(DOC_COMMENT, "");
}

/** `system` whose readFile drops the doc comments of the lib.*.d.ts files in `libDir`. */
export function readingLibWithoutDocs(system: TS.System, libDir: string): TS.System {
  const wrapped = Object.create(system) as TS.System;
  wrapped.readFile = (file, encoding) => {
    const text = system.readFile(file, encoding);
    const isLib = text !== undefined && path.dirname(path.resolve(file)) === libDir && /^lib\..*\.d\.ts$/.test(path.basename(file));
    return isLib ? withoutDocComments(text) : text;
  };
  return wrapped;
}
