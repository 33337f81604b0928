/**
 * The seam between the protocol side of the kernel (server.ts: sockets, sessions, queue)
 * and the execution side (engine/: tslab, magics). The server owns one Engine and hands it
 * a CellHost per execute_request; the engine never sees a socket.
 */
import type { MimeBundle } from "../lib/runtime";

export type { MimeBundle };

/** What an execution can send to the frontend; the server turns each call into iopub/stdin messages. */
export interface CellHost {
  stdout(text: string): void;
  stderr(text: string): void;
  /** display_data, or update_display_data when `update` is true (needs a display id). */
  display(data: MimeBundle, metadata: Record<string, unknown>, displayId?: string, update?: boolean): void;
  clearOutput(wait: boolean): void;
  /** stdin input_request; rejects with a clear Error when the frontend did not allow stdin. */
  input(prompt: string, password: boolean): Promise<string>;
  /**
   * True when a person is at the frontend: the request allowed stdin (JupyterLab, Notebook,
   * VS Code); false for headless runs (nbconvert, papermill, `seqlab run`). lib/ reads it to
   * let a failed claim warn instead of stop (lib/claims.ts).
   */
  readonly interactive?: boolean;
  /** A payload for execute_reply (e.g. {source: "page", data: {...}, start: 0}). */
  payload(item: Record<string, unknown>): void;
}

export type ExecuteOutcome =
  | { status: "ok"; result?: { data: MimeBundle; metadata: Record<string, unknown> } }
  | { status: "error"; ename: string; evalue: string; traceback: string[] };

export interface CompleteResult {
  matches: string[];
  /** Offsets in Unicode code points, as the protocol counts them. */
  cursor_start: number;
  cursor_end: number;
  metadata: Record<string, unknown>;
}

export interface InspectResult {
  found: boolean;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

export type IsCompleteResult = { status: "complete" | "incomplete" | "invalid" | "unknown"; indent?: string };

export interface Engine {
  /** Run one cell (magics included). `executionCount` is the number the server assigned. */
  execute(code: string, host: CellHost, options: { silent: boolean; storeHistory: boolean; executionCount: number }): Promise<ExecuteOutcome>;
  /** cursorPos is in Unicode code points. */
  complete(code: string, cursorPos: number): Promise<CompleteResult>;
  inspect(code: string, cursorPos: number, detailLevel: 0 | 1): Promise<InspectResult>;
  isComplete(code: string): Promise<IsCompleteResult>;
  /** Stop what is running now (called on SIGINT and interrupt_request); state is kept. */
  interrupt(): void;
  /** Release resources before the process exits. */
  dispose(): Promise<void>;
}

/** Language facts for kernel_info_reply. */
export interface LanguageInfo {
  name: string;
  version: string;
  mimetype: string;
  file_extension: string;
  codemirror_mode?: string | Record<string, unknown>;
  pygments_lexer?: string;
}
