/**
 * A cell's JavaScript (its types already stripped, strip-types.ts) rewritten into the body
 * the kernel runs (cells.ts wraps it in `function (exports, require)`):
 *
 * - every top-level declaration and import lives on the notebook's shared `exports` object
 *   (namespace.ts), so later cells see it: `const x = 1` becomes `exports.x = 1`, and each
 *   use of `x` reads `exports.x`; functions and classes keep their local binding and are
 *   copied there too;
 * - a name an earlier cell declared, and nothing in this cell shadows, reads `exports.name`;
 * - the last expression statement's value is stored for the reply;
 * - every `await` checks for an interrupt when it resumes (see instrument.ts).
 *
 * Scopes come from eslint-scope over acorn's syntax tree; the text is edited in place with
 * magic-string, whose source map leads back to the input.
 */
import * as acorn from "acorn";
import { analyze, type Reference, type Variable } from "eslint-scope";
import MagicString from "magic-string";
import type * as ESTree from "estree";
import { RUNTIME_GLOBAL } from "./instrument";

export interface RewrittenCell {
  code: string;
  /** Source map (JSON) from `code` to the input JavaScript. */
  map: string;
  /** The values this cell declares at top level (imports included). */
  declared: string[];
  /** Where the last expression's value is stored, if the cell ends with one. */
  lastExpressionVar?: string;
  /** Whether it awaits outside any function (it must run in an async wrapper). */
  hasToplevelAwait: boolean;
}

/** A cell this rewrite cannot express; the message says what to write instead. */
export class UnsupportedCellSyntax extends Error {
  constructor(
    message: string,
    readonly start: number,
  ) {
    super(message);
  }
}

type Node = ESTree.Node & { start: number; end: number };

const FUNCTION_TYPES = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);
/** Where a statement may begin with `;` without changing what the code around it means. */
const STATEMENT_LISTS = new Set(["Program", "BlockStatement", "StaticBlock", "SwitchCase"]);

export function parseCellJavaScript(js: string): ESTree.Program {
  // eslint-scope reads `range`.
  return acorn.parse(js, { ecmaVersion: "latest", sourceType: "module", allowAwaitOutsideFunction: true, ranges: true }) as unknown as ESTree.Program;
}

/** A node's child nodes, whatever their keys. */
function childrenOf(node: ESTree.Node): ESTree.Node[] {
  return Object.values(node)
    .flatMap((value: unknown) => (Array.isArray(value) ? value : [value]))
    .filter((child): child is ESTree.Node => child !== null && typeof child === "object" && typeof (child as ESTree.Node).type === "string");
}

/** Each node's parent (acorn's tree has no parent links). */
function parentsOf(program: ESTree.Program): Map<ESTree.Node, ESTree.Node> {
  const parents = new Map<ESTree.Node, ESTree.Node>();
  const visit = (node: ESTree.Node): void => {
    for (const child of childrenOf(node)) {
      parents.set(child, node);
      visit(child);
    }
  };
  visit(program);
  return parents;
}

/** Whether `node` awaits outside any function. */
function awaitsAtTopLevel(node: ESTree.Node): boolean {
  if (FUNCTION_TYPES.has(node.type)) return false;
  if (node.type === "AwaitExpression" || (node.type === "ForOfStatement" && node.await)) return true;
  return childrenOf(node).some(awaitsAtTopLevel);
}

/** `require("m")` and the names a top-level import binds, as assignments to `exports`. */
function importAsAssignments(node: ESTree.ImportDeclaration): string {
  const required = `require(${JSON.stringify(node.source.value)})`;
  if (node.specifiers.length === 0) return `${required};`;
  const parts = node.specifiers.map((spec) => {
    const local = `exports.${spec.local.name}`;
    if (spec.type === "ImportNamespaceSpecifier") return `${local} = ${RUNTIME_GLOBAL}.importStar(__module__);`;
    const imported = spec.type === "ImportDefaultSpecifier" ? "default" : spec.imported.type === "Identifier" ? spec.imported.name : String(spec.imported.value);
    if (imported === "default") return `${local} = ${RUNTIME_GLOBAL}.importDefault(__module__).default;`;
    return `${local} = __module__[${JSON.stringify(imported)}];`;
  });
  return `{ const __module__ = ${required}; ${parts.join(" ")} }`;
}

export function rewriteCell(js: string, earlier: ReadonlySet<string>): RewrittenCell {
  const program = parseCellJavaScript(js);
  const parents = parentsOf(program);
  const manager = analyze(program, { ecmaVersion: 2022, sourceType: "module", fallback: "iteration" });
  const moduleScope = manager.globalScope?.childScopes.find((scope) => scope.type === "module");
  if (!moduleScope) throw new Error("no module scope in the cell's syntax tree");
  const text = new MagicString(js);
  const exported = (name: string) => `exports.${name}`;

  // `export` in a cell: its declaration stays (every top-level name is kept anyway).
  for (const statement of program.body as Node[]) {
    if (statement.type === "ExportNamedDeclaration" && statement.declaration) {
      text.remove(statement.start, (statement.declaration as Node).start);
    } else if (statement.type === "ExportNamedDeclaration" || statement.type === "ExportAllDeclaration" || statement.type === "ExportDefaultDeclaration") {
      throw new UnsupportedCellSyntax("A cell cannot export or re-export names: its top-level declarations are kept for later cells already. Remove the `export`, or import the names you need.", statement.start);
    }
  }

  const declared: string[] = [];
  const rewriteReference = (reference: Reference, name: string) => {
    const id = reference.identifier as Node;
    const parent = parents.get(id);
    const shorthand =
      parent?.type === "Property" && parent.shorthand && (parent.value === id || (parent.value.type === "AssignmentPattern" && parent.value.left === id));
    text.update(id.start, id.end, shorthand ? `${name}: ${exported(name)}` : exported(name));
  };

  const declarations = new Set<ESTree.VariableDeclaration>();
  const hoisted: string[] = [];
  for (const variable of moduleScope.variables as Variable[]) {
    const def = variable.defs[0];
    if (!def) continue;
    declared.push(variable.name);
    if (def.type === "FunctionName") {
      hoisted.push(`${exported(variable.name)} = ${variable.name};`);
    } else if (def.type === "ClassName") {
      text.appendLeft((def.node as Node).end, ` ${exported(variable.name)} = ${variable.name};`);
    } else if (def.type === "Variable" || def.type === "ImportBinding") {
      for (const reference of variable.references) rewriteReference(reference, variable.name);
      // `var a = 1; ... var a = 2;` is one variable of two declarations.
      for (const each of variable.defs) if (each.type === "Variable") declarations.add(each.parent as ESTree.VariableDeclaration);
    }
  }
  for (const reference of manager.globalScope?.through ?? []) {
    const name = reference.identifier.type === "Identifier" ? reference.identifier.name : undefined;
    if (name !== undefined && earlier.has(name)) rewriteReference(reference, name);
  }

  for (const statement of program.body as Node[]) {
    if (statement.type === "ImportDeclaration") {
      const lines = js.slice(statement.start, statement.end).split("\n").length - 1;
      text.update(statement.start, statement.end, importAsAssignments(statement) + "\n".repeat(lines));
    }
  }

  // Declarations become assignments (their names already read `exports.name`).
  for (const declaration of declarations as Set<ESTree.VariableDeclaration & Node>) {
    const parent = parents.get(declaration);
    const loopHead = (parent?.type === "ForInStatement" || parent?.type === "ForOfStatement") && parent.left === declaration;
    let first = true;
    for (const declarator of declaration.declarations as Array<ESTree.VariableDeclarator & Node>) {
      const id = declarator.id as Node;
      if (!declarator.init && !loopHead) {
        // Declared without a value: no reference marks the name, so it is written here.
        if (id.type === "Identifier") text.update(id.start, id.end, `${exported(id.name)} = void 0`);
      } else if (id.type !== "Identifier" && !loopHead) {
        // `({ a: exports.a } = value)`: a pattern at the start of a statement needs parentheses.
        const statementStart = first && parent !== undefined && (STATEMENT_LISTS.has(parent.type) || (parent.type === "ExportNamedDeclaration" && parents.get(parent)?.type === "Program"));
        text.prependRight(declarator.start, statementStart ? ";(" : "(");
        text.appendLeft(declarator.end, ")");
      }
      first = false;
    }
    text.remove(declaration.start, declaration.start + declaration.kind.length + (/\s/.test(js[declaration.start + declaration.kind.length]) ? 1 : 0));
  }

  // Interrupt points (instrument.ts). Inner nodes first: text put before the same position
  // later goes in front, so an enclosing wrap (and the last expression's, below) ends up outside.
  const resumed = `${RUNTIME_GLOBAL}.resumed`;
  for (const node of [...parents.keys()].reverse() as Node[]) {
    if (node.type === "AwaitExpression") {
      text.prependRight(node.start, `${resumed}(`);
      text.appendLeft(node.end, ")");
    } else if (node.type === "ForOfStatement" && node.await) {
      const body = node.body as Node;
      if (body.type === "BlockStatement") text.appendLeft(body.start + 1, ` ${resumed}();`);
      else {
        text.prependRight(body.start, `{ ${resumed}(); `);
        text.appendLeft(body.end, " }");
      }
    }
  }

  let lastExpressionVar: string | undefined;
  const last = program.body[program.body.length - 1] as Node | undefined;
  if (last?.type === "ExpressionStatement") {
    const taken = new Set([...declared, ...earlier]);
    lastExpressionVar = "tsLastExpr";
    for (let i = 0; taken.has(lastExpressionVar); i++) lastExpressionVar = `tsLastExpr${i}`;
    const expression = last.expression as Node;
    text.prependRight(expression.start, `${exported(lastExpressionVar)} = (`);
    text.appendLeft(expression.end, ")");
  }
  if (hoisted.length > 0) text.prepend(hoisted.join(" ") + " ");

  return {
    code: text.toString(),
    map: text.generateMap({ hires: true, source: "cell.js", includeContent: false }).toString(),
    declared,
    lastExpressionVar,
    hasToplevelAwait: awaitsAtTopLevel(program),
  };
}
