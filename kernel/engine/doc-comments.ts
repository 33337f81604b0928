/**
 * Both type checkers read declaration files (TypeScript's standard library, and installed
 * packages': @types, TensorFlow.js, seqlab) with each doc comment made a plain comment: `/**`
 * becomes `/* ` at the start of a line. Parsing doc comments into JSDoc nodes was half of
 * parsing those files, and parsing half of loading the full checker and of checking the
 * first import of seqlab; doc comments carry no types in .d.ts files. Only quick info
 * (inspection) shows them, so it restores them first for the files its symbol comes from
 * (withDocsAt): the file parsed again as written has the same length, hence the same
 * positions and the same tree, whose JSDoc nodes are copied across.
 */
import path from "path";
import type * as TS from "@tslab/typescript-for-tslab";

/** A doc comment's opening at the start of a line (not `/**\/`); elsewhere `/**` may sit in a string. */
const DOC_COMMENT_START = /^([ \t]*)\/\*\*(?!\/)/gm;

/** `text` with its doc comments turned into plain comments of the same length. */
export function withPlainComments(text: string): string {
  return text.replace(DOC_COMMENT_START, "$1/* ");
}

/** Declaration files read with plain comments: installed packages' and TypeScript's lib. */
export interface PlainCommentReader {
  system: TS.System;
  /** The files read so (as TypeScript names them). */
  changed: Set<string>;
  /** A file's text as written. */
  written(file: string): string | undefined;
}

/** `system` whose readFile gives .d.ts files under node_modules or `libDir` with plain comments. */
export function readingPlainComments(system: TS.System, libDir: string): PlainCommentReader {
  const changed = new Set<string>();
  const wrapped = Object.create(system) as TS.System;
  wrapped.readFile = (file, encoding) => {
    const text = system.readFile(file, encoding);
    if (text === undefined || !file.endsWith(".d.ts")) return text;
    const resolved = path.resolve(file);
    if (!resolved.split(path.sep).includes("node_modules") && path.dirname(resolved) !== libDir) return text;
    const plain = withPlainComments(text);
    if (plain !== text) changed.add(file);
    return plain;
  };
  return { system: wrapped, changed, written: (file) => system.readFile(file) };
}

type WithDocs = TS.Node & { jsDoc?: TS.Node[]; jsDocCache?: unknown };

/** Copies the JSDoc nodes of `written` (the file as written) onto `read` (the same tree, parsed with plain comments). */
function copyDocs(ts: typeof TS, read: WithDocs, written: WithDocs): void {
  if (written.jsDoc) {
    read.jsDoc = written.jsDoc;
    for (const doc of written.jsDoc) (doc as { parent: TS.Node }).parent = read;
    delete read.jsDocCache;
  }
  const readChildren: TS.Node[] = [];
  const writtenChildren: TS.Node[] = [];
  ts.forEachChild(read, (child) => {
    readChildren.push(child);
  });
  ts.forEachChild(written, (child) => {
    writtenChildren.push(child);
  });
  if (readChildren.length !== writtenChildren.length) return; // not the same tree: left without docs
  readChildren.forEach((child, i) => {
    const twin = writtenChildren[i];
    if (twin.kind === child.kind && twin.pos === child.pos && twin.end === child.end) copyDocs(ts, child, twin);
  });
}

/** Files whose docs are back (a program reuses unchanged source files, so once each). */
const restored = new WeakSet<TS.SourceFile>();

function restoreDocs(ts: typeof TS, file: TS.SourceFile, reader: PlainCommentReader): void {
  if (restored.has(file)) return;
  restored.add(file);
  const text = reader.written(file.fileName);
  if (text === undefined || text.length !== file.text.length) return;
  const written = ts.createSourceFile(file.fileName, text, file.languageVersion, true, ts.ScriptKind.TS);
  copyDocs(ts, file as WithDocs, written as WithDocs);
}

/**
 * Before quick info at `position`: restores the doc comments of the files declaring the
 * symbol there, what it aliases, and its type's symbol, where they were read plain.
 */
export function withDocsAt(
  ts: typeof TS,
  reader: PlainCommentReader,
  sourceFile: TS.SourceFile,
  checker: TS.TypeChecker,
  position: number,
): void {
  const internal = ts as unknown as { getTouchingPropertyName(file: TS.SourceFile, pos: number): TS.Node };
  const node = internal.getTouchingPropertyName(sourceFile, position);
  if (node === sourceFile) return;
  const symbols: TS.Symbol[] = [];
  const symbol = checker.getSymbolAtLocation(node);
  if (symbol) {
    symbols.push(symbol);
    if (symbol.flags & ts.SymbolFlags.Alias) symbols.push(checker.getAliasedSymbol(symbol));
  }
  const typeSymbol = checker.getTypeAtLocation(node).getSymbol();
  if (typeSymbol) symbols.push(typeSymbol);
  for (const s of symbols) {
    for (const declaration of s.declarations ?? []) {
      const file = declaration.getSourceFile();
      if (reader.changed.has(file.fileName)) restoreDocs(ts, file, reader);
    }
  }
}
