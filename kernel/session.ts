/**
 * Per-kernel session state that the protocol exposes: the execution counter and the input
 * history answered by history_request. Kept in memory; one kernel process is one session.
 */

export interface HistoryEntry {
  session: number;
  line: number;
  input: string;
  /** text/plain of the cell's execute_result, when it had one. */
  output: string | null;
}

/** A history_reply row: [session, line, input] or [session, line, [input, output]]. */
export type HistoryRow = [number, number, string | [string, string | null]];

export interface HistoryQuery {
  hist_access_type?: string;
  output?: boolean;
  raw?: boolean;
  session?: number;
  start?: number;
  stop?: number | null;
  n?: number | null;
  pattern?: string;
  unique?: boolean;
}

/** Turns a history search pattern (`*` any run, `?` one character, whole input) into a RegExp. */
export function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (const ch of pattern) {
    if (ch === "*") source += "[\\s\\S]*";
    else if (ch === "?") source += "[\\s\\S]";
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "u");
}

export class KernelSession {
  /** The number the next stored execution will get (IPython starts at 1). */
  private nextCount = 1;
  private readonly entries: HistoryEntry[] = [];

  /** Session number reported in history rows; there is one session per kernel process. */
  constructor(readonly sessionNumber = 1) {}

  /** The count the next stored execution will be given (what execute_reply reports for non-stored runs). */
  get executionCount(): number {
    return this.nextCount;
  }

  /**
   * Reserves the count for an execution. Silent and store_history=false runs get the
   * current number without advancing it, as IPython does.
   */
  beginExecution(storeHistory: boolean): number {
    return storeHistory ? this.nextCount++ : this.nextCount;
  }

  record(line: number, input: string): void {
    this.entries.push({ session: this.sessionNumber, line, input, output: null });
  }

  recordOutput(line: number, output: string): void {
    const entry = this.entries.find((e) => e.line === line);
    if (entry) entry.output = output;
  }

  /** Answers a history_request; throws an Error that says what was wrong with the query. */
  query(q: HistoryQuery): HistoryRow[] {
    const type = q.hist_access_type ?? "tail";
    let rows: HistoryEntry[];
    switch (type) {
      case "tail":
        rows = takeLast(this.entries, q.n);
        break;
      case "range":
        rows = this.range(q.session ?? 0, q.start ?? 0, q.stop ?? null);
        break;
      case "search":
        rows = this.search(q.pattern ?? "*", q.unique ?? false, q.n);
        break;
      default:
        throw new Error(`unknown hist_access_type "${type}": use "tail", "range" or "search"`);
    }
    return rows.map((e) => [e.session, e.line, q.output ? [e.input, e.output] : e.input]);
  }

  private range(session: number, start: number, stop: number | null): HistoryEntry[] {
    // 0 and negative session numbers count back from the current session (IPython's rule);
    // earlier sessions are not kept, so they have no rows.
    const wanted = session <= 0 ? this.sessionNumber + session : session;
    if (wanted !== this.sessionNumber) return [];
    // stop is exclusive; null or 0 means "to the end".
    return this.entries.filter((e) => e.line >= start && (stop === null || stop <= 0 || e.line < stop));
  }

  private search(pattern: string, unique: boolean, n: number | null | undefined): HistoryEntry[] {
    const re = globToRegExp(pattern);
    let hits = this.entries.filter((e) => re.test(e.input));
    if (unique) {
      // Keep the latest occurrence of each input, in chronological order.
      const seen = new Set<string>();
      hits = hits.reverse().filter((e) => !seen.has(e.input) && seen.add(e.input)).reverse();
    }
    return takeLast(hits, n);
  }
}

function takeLast<T>(items: T[], n: number | null | undefined): T[] {
  if (n === null || n === undefined || n <= 0) return items.slice();
  return items.slice(Math.max(0, items.length - n));
}
