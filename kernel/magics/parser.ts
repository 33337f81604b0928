/**
 * Splitting a cell into TypeScript and magics, IPython style:
 * - `%%name args` on the first line makes the whole cell a cell magic (the rest is its body);
 * - `%name args` on a line of its own (leading spaces allowed) is a line magic, run in
 *   order with the TypeScript around it;
 * - `%name?` / `%name??` (and `%%name?`) ask for help;
 * - a line that starts inside a template literal or a block comment is text, not a magic
 *   (ABC tunes pasted into a template string have `%` comment lines).
 *
 * TypeScript pieces keep their line numbers: the lines before them are kept as blank
 * lines, so compiler messages and stack traces count lines of the whole cell.
 */

export type HelpLevel = 0 | 1 | 2;

export interface CodePiece {
  kind: "code";
  /** The piece padded with blank lines so that its lines keep their cell numbers. */
  code: string;
  /** 1-based cell line of the piece's first line. */
  firstLine: number;
}

export interface MagicCall {
  kind: "magic";
  name: string;
  /** The text after the name. */
  args: string;
  /** 1-based cell line. */
  line: number;
  /** 1 for `%name?`, 2 for `%name??`. */
  help: HelpLevel;
}

export type CellPiece = CodePiece | MagicCall;

export interface CellMagicCall {
  name: string;
  args: string;
  body: string;
  help: HelpLevel;
}

export type ParsedCell = { cellMagic: CellMagicCall } | { pieces: CellPiece[] };

const LINE_MAGIC = /^\s*%([A-Za-z_][\w-]*)(\?{1,2})?(?:[ \t]+(.*?))?\s*$/;
const CELL_MAGIC = /^%%([A-Za-z_][\w-]*)(\?{1,2})?(?:[ \t]+(.*?))?\s*$/;

/** Whether a line is a line magic (for completion and the like). */
export function lineMagicAt(line: string): { name: string; args: string; help: HelpLevel } | undefined {
  const m = LINE_MAGIC.exec(line);
  if (!m) return undefined;
  return { name: m[1], args: m[3] ?? "", help: (m[2]?.length ?? 0) as HelpLevel };
}

type TypeScript = typeof import("@tslab/typescript-for-tslab");
let typescript: TypeScript | undefined;

/**
 * 0-based numbers of the lines that begin inside a multi-line token: a template literal
 * (outside its `${...}` parts) or a block comment. Scanned with TypeScript's own scanner.
 */
function linesInsideText(cell: string): Set<number> {
  const inside = new Set<number>();
  if (!cell.includes("`") && !cell.includes("/*")) return inside;
  const ts = (typescript ??= require("@tslab/typescript-for-tslab") as TypeScript);
  const K = ts.SyntaxKind;
  const textTokens = new Set([K.NoSubstitutionTemplateLiteral, K.TemplateHead, K.TemplateMiddle, K.TemplateTail, K.MultiLineCommentTrivia]);
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, cell);
  const lineStarts = [0];
  for (let at = cell.indexOf("\n"); at >= 0; at = cell.indexOf("\n", at + 1)) lineStarts.push(at + 1);
  // For each open brace: whether it is a template's `${` (its `}` resumes the template).
  const braces: boolean[] = [];
  for (let kind = scanner.scan(); kind !== K.EndOfFileToken; kind = scanner.scan()) {
    if (kind === K.OpenBraceToken) braces.push(false);
    else if (kind === K.TemplateHead) braces.push(true);
    else if (kind === K.CloseBraceToken && braces.pop()) {
      kind = scanner.reScanTemplateToken(false);
      if (kind === K.TemplateMiddle) braces.push(true);
    }
    if (!textTokens.has(kind)) continue;
    const start = scanner.getTokenPos(), end = scanner.getTextPos();
    lineStarts.forEach((at, line) => {
      if (at > start && at < end) inside.add(line);
    });
  }
  return inside;
}

export function parseCell(cell: string): ParsedCell {
  const lines = cell.split("\n");
  const first = CELL_MAGIC.exec(lines[0].replace(/\r$/, ""));
  if (first) {
    return {
      cellMagic: { name: first[1], args: first[3] ?? "", body: lines.slice(1).join("\n"), help: (first[2]?.length ?? 0) as HelpLevel },
    };
  }
  const pieces: CellPiece[] = [];
  let start = 0;
  const flush = (end: number) => {
    const chunk = lines.slice(start, end);
    if (chunk.some((l) => l.trim() !== "")) {
      pieces.push({ kind: "code", code: "\n".repeat(start) + chunk.join("\n"), firstLine: start + 1 });
    }
  };
  let text: Set<number> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const magic = lineMagicAt(lines[i].replace(/\r$/, ""));
    if (!magic || (text ??= linesInsideText(cell)).has(i)) continue;
    flush(i);
    pieces.push({ kind: "magic", name: magic.name, args: magic.args, line: i + 1, help: magic.help });
    start = i + 1;
  }
  flush(lines.length);
  return { pieces };
}

const LEADING_BLANK_LINES = /^(?:[ \t]*\r?\n)+/;

/** The first non-blank line of `code` when it is a cell magic (`%%name ...`). */
export function leadingCellMagic(code: string): string | undefined {
  const first = code.replace(LEADING_BLANK_LINES, "").split("\n")[0].replace(/\r$/, "");
  return CELL_MAGIC.test(first) ? first : undefined;
}

/**
 * `code` as a cell to run through the magics when it holds any (a wrapping magic's body
 * such as %%time's: a cell magic on its first non-blank line, or line magics), else
 * undefined (plain TypeScript). Blank lines before a cell magic are dropped.
 */
export function asMagicCell(code: string): string | undefined {
  if (leadingCellMagic(code)) return code.replace(LEADING_BLANK_LINES, "");
  const parsed = parseCell(code);
  return "pieces" in parsed && parsed.pieces.some((p) => p.kind === "magic") ? code : undefined;
}

/**
 * The cell with every magic line turned into spaces of the same length, so offsets still
 * match (completion and inspection of the TypeScript around magics).
 */
export function blankMagicLines(cell: string): string {
  const lines = cell.split("\n");
  if (CELL_MAGIC.test(lines[0])) lines[0] = " ".repeat(lines[0].length);
  const text = linesInsideText(cell);
  return lines.map((l, i) => (LINE_MAGIC.test(l) && !text.has(i) ? " ".repeat(l.length) : l)).join("\n");
}
