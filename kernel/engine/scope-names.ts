/**
 * The names a cell declares in the scopes around a position, below its top level: a
 * function's parameters and locals, a block's, a loop's and a catch clause's variables.
 * TypeScript 7's API completes members only, so completing a bare name inside a function
 * (cell-project.ts) offers these from the cell's syntax tree; their types are not needed to
 * name them.
 */
import type { AstNode, NodeList, TypeScript7 } from "./typescript7";

type Node = AstNode & { pos: number; end: number; forEachChild<T>(visit: (child: Node) => T): T | undefined };

const list = (nodes: unknown) => Array.from((nodes as NodeList) ?? []) as Node[];
const text = (node: unknown) => (node as { text?: string } | undefined)?.text;

/** The names of the scopes enclosing `position` in `file` (its top level excluded), innermost first. */
export function namesInScopeAt(ts: Pick<TypeScript7, "SyntaxKind">, file: AstNode, position: number): string[] {
  const K = ts.SyntaxKind;
  const functionLike = new Set([K.FunctionDeclaration, K.FunctionExpression, K.ArrowFunction, K.MethodDeclaration, K.Constructor, K.GetAccessor, K.SetAccessor]);
  const statementLists = new Set([K.Block, K.ModuleBlock, K.CaseClause, K.DefaultClause]);
  const loops = new Set([K.ForStatement, K.ForInStatement, K.ForOfStatement]);
  const bound = (name: unknown): string[] => {
    const node = name as Node | undefined;
    if (!node) return [];
    if (node.kind === K.Identifier) return [text(node) as string];
    return list(node.elements).flatMap((element) => bound(element.name)); // object and array destructuring
  };
  const declaredBy = (list_: unknown): string[] => list(list_ && (list_ as Node).declarations).flatMap((d) => bound(d.name));
  const scopes: string[][] = [];
  for (let node: Node | undefined = file as Node; node; ) {
    const names: string[] = [];
    if (functionLike.has(node.kind)) {
      if (node.kind === K.FunctionExpression) names.push(...bound(node.name)); // a named function expression sees its name
      for (const parameter of list(node.parameters)) names.push(...bound(parameter.name));
    } else if (node.kind === K.ClassExpression) {
      names.push(...bound(node.name));
    } else if (statementLists.has(node.kind)) {
      for (const statement of list(node.statements)) {
        if (statement.kind === K.VariableStatement) names.push(...declaredBy(statement.declarationList));
        else if (statement.kind === K.FunctionDeclaration || statement.kind === K.ClassDeclaration || statement.kind === K.EnumDeclaration) names.push(...bound(statement.name));
      }
    } else if (loops.has(node.kind)) {
      const initializer = node.initializer as Node | undefined;
      if (initializer?.kind === K.VariableDeclarationList) names.push(...declaredBy(initializer));
    } else if (node.kind === K.CatchClause) {
      names.push(...bound((node.variableDeclaration as Node | undefined)?.name));
    }
    scopes.push(names);
    const at: Node = node;
    node = at.forEachChild((child) => (child.pos < position && position <= child.end ? child : undefined));
  }
  return [...new Set(scopes.reverse().flat())];
}
