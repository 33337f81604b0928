/**
 * Interrupt points for asynchronous cell code. An interrupt can stop a synchronous loop
 * directly (vm's breakOnSigint), but an async loop that awaits between steps would keep
 * running after the cell is abandoned. So every `await e` in compiled cell code becomes
 * `RUNTIME.resumed(await e)`, and every `for await` body starts with `RUNTIME.resumed()`:
 * after each resumption the code asks whether its execution was interrupted, and throws
 * KeyboardInterrupt if so. Which execution the code belongs to is known through
 * AsyncLocalStorage (see context.ts), so code from other cells is not affected.
 */
import type * as TS from "@tslab/typescript-for-tslab";

/** The name of the global object instrumented code calls (cells.ts defines it). */
export const RUNTIME_GLOBAL = "__seqlab_runtime__";

export function createInterruptTransformer(
  ts: typeof TS,
  runtimeGlobal: string,
): TS.TransformerFactory<TS.SourceFile> {
  return (context) => {
    const f = context.factory;
    const resumedCall = (args: TS.Expression[]) =>
      f.createCallExpression(
        f.createPropertyAccessExpression(f.createIdentifier(runtimeGlobal), "resumed"),
        undefined,
        args,
      );
    const visit = (node: TS.Node): TS.Node => {
      if (ts.isAwaitExpression(node)) {
        const inner = ts.visitEachChild(node, visit, context);
        return ts.setTextRange(resumedCall([inner]), node);
      }
      if (ts.isForOfStatement(node) && node.awaitModifier) {
        const visited = ts.visitEachChild(node, visit, context) as TS.ForOfStatement;
        const check = f.createExpressionStatement(resumedCall([]));
        const body = ts.isBlock(visited.statement)
          ? f.updateBlock(visited.statement, [check, ...visited.statement.statements])
          : f.createBlock([check, visited.statement], true);
        return f.updateForOfStatement(visited, visited.awaitModifier, visited.initializer, visited.expression, body);
      }
      return ts.visitEachChild(node, visit, context);
    };
    return (file) => ts.visitEachChild(file, visit, context);
  };
}
