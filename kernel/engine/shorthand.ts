/**
 * tslab's converter turns a reference to an earlier cell's variable `a` into `exports.a`,
 * except inside a shorthand property (`{ a }`), which then fails with "a is not defined".
 * Spelling each shorthand out (`{ a: a }`) before conversion lets the ordinary rewrite
 * apply. Only text after the insertion point on the same line moves, so line numbers in
 * errors stay those of the cell.
 */
import type * as TS from "@tslab/typescript-for-tslab";

export function expandShorthandProperties(ts: typeof TS, source: string): string {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const insertions: Array<{ at: number; text: string }> = [];
  const visit = (node: TS.Node): void => {
    if (ts.isShorthandPropertyAssignment(node)) {
      insertions.push({ at: node.name.getEnd(), text: `: ${node.name.text}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (insertions.length === 0) return source;
  let out = source;
  for (const { at, text } of insertions.sort((a, b) => b.at - a.at)) {
    out = out.slice(0, at) + text + out.slice(at);
  }
  return out;
}
