/**
 * Whether compiled cell code awaits outside any function, so that it must run inside an
 * async wrapper. tslab decides this from TypeScript's "await is only allowed in async
 * functions" diagnostic, which it finds only for a plain `await x`: `await (x)` and
 * `for await (...)` at the top level come without it and would run in a plain function
 * (ReferenceError / SyntaxError). So the emitted JavaScript itself is checked.
 */
import type * as TS from "@tslab/typescript-for-tslab";

export function awaitsAtTopLevel(ts: typeof TS, js: string): boolean {
  // Parsed as a module, where `await (x)` is an await and not a call of a function `await`.
  const file = ts.createSourceFile("cell.js", `${js}\nexport {};`, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const visit = (node: TS.Node): boolean => {
    if (ts.isAwaitExpression(node)) return true;
    if (ts.isForOfStatement(node) && node.awaitModifier) return true;
    // Code inside these runs later, in its own function.
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node) || ts.isPropertyDeclaration(node)) return false;
    return ts.forEachChild(node, visit) ?? false;
  };
  return visit(file);
}
