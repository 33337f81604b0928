/** Input checks for figure builders: say which argument is wrong and how. */

export function checkVector(name: string, v: unknown, length?: number): number[] {
  if (!Array.isArray(v) && !ArrayBuffer.isView(v)) {
    throw new TypeError(`${name} must be an array of numbers, got ${describe(v)}`);
  }
  const arr = Array.from(v as ArrayLike<number>);
  if (length !== undefined && arr.length !== length) {
    throw new RangeError(`${name} has ${arr.length} entries but ${length} were expected`);
  }
  arr.forEach((x, i) => {
    if (typeof x !== "number") throw new TypeError(`${name}[${i}] is ${describe(x)}, not a number`);
  });
  return arr;
}

/** A rectangular matrix [rows][cols]; rows/cols are checked when given. */
export function checkMatrix(name: string, m: unknown, rows?: number, cols?: number): number[][] {
  if (!Array.isArray(m)) throw new TypeError(`${name} must be a 2-D array (array of rows), got ${describe(m)}`);
  if (rows !== undefined && m.length !== rows) {
    throw new RangeError(`${name} has ${m.length} rows but ${rows} were expected`);
  }
  if (m.length === 0) throw new RangeError(`${name} is empty: nothing to plot`);
  const width = cols ?? (Array.isArray(m[0]) || ArrayBuffer.isView(m[0]) ? (m[0] as ArrayLike<number>).length : -1);
  return m.map((row, i) => checkVector(`${name}[${i}]`, row, width < 0 ? undefined : width));
}

export function checkLabels(name: string, labels: unknown, length: number): string[] {
  if (!Array.isArray(labels)) throw new TypeError(`${name} must be an array of strings, got ${describe(labels)}`);
  if (labels.length !== length) {
    throw new RangeError(`${name} has ${labels.length} labels but the data has ${length} positions`);
  }
  return labels.map((l) => String(l));
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return typeof v;
}

/** Tokens as tick labels: make whitespace visible so that spaces and newlines can be read. */
export function visibleToken(token: string): string {
  return token.replace(/\n/g, "⏎").replace(/ /g, "␣").replace(/\t/g, "⇥");
}

/** Ticks at 0..n-1 labelled with tokens (positions, not categories: repeats stay apart). */
export function tokenAxis(tokens: string[], title: string): Record<string, unknown> {
  const step = Math.max(1, Math.ceil(tokens.length / 60));
  const tickvals: number[] = [];
  const ticktext: string[] = [];
  for (let i = 0; i < tokens.length; i += step) {
    tickvals.push(i);
    ticktext.push(visibleToken(tokens[i]));
  }
  return { title: { text: title }, tickmode: "array", tickvals, ticktext, tickangle: 0 };
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export function transpose(m: number[][]): number[][] {
  if (m.length === 0) return [];
  return m[0].map((_, j) => m.map((row) => row[j]));
}
