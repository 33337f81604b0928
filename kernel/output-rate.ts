/**
 * A limit on how much output the kernel sends on iopub, in the manner of jupyter-server's
 * iopub_msg_rate_limit and iopub_data_rate_limit: past the limit, output messages are dropped
 * and counted, and the cell is told so in a visible notice, instead of ZeroMQ silently dropping
 * whatever lies past its high-water mark (which used to include the final idle status).
 *
 * Only output is limited (stream, display_data, update_display_data, clear_output): status,
 * replies, execute_input/execute_result/error and comm messages always go out.
 */
import type { JupyterMessage } from "./wire";

export const RATE_LIMITED_TYPES: ReadonlySet<string> = new Set(["stream", "display_data", "update_display_data", "clear_output"]);

export interface OutputRateOptions {
  /** Messages per second, averaged over the window (jupyter-server's default is 1000). */
  messagesPerSecond?: number;
  /** Bytes per second, averaged over the window. */
  bytesPerSecond?: number;
  /** Length of the window the rates are averaged over (jupyter-server uses 3 s). */
  windowMs?: number;
  now?: () => number;
}

/** Counts output per window; past either budget, output is refused until the next window. */
export class OutputRateLimit {
  readonly messagesPerSecond: number;
  readonly bytesPerSecond: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private windowStart = -Infinity;
  private messages = 0;
  private bytes = 0;

  constructor(options: OutputRateOptions = {}) {
    this.messagesPerSecond = options.messagesPerSecond ?? 1000;
    this.bytesPerSecond = options.bytesPerSecond ?? 10_000_000;
    this.windowMs = options.windowMs ?? 3000;
    this.now = options.now ?? Date.now;
  }

  private roll(): void {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.messages = 0;
      this.bytes = 0;
    }
  }

  /** Whether one more message fits this window (checked before the message is encoded). */
  hasRoom(): boolean {
    this.roll();
    return this.messages < (this.messagesPerSecond * this.windowMs) / 1000 && this.bytes < (this.bytesPerSecond * this.windowMs) / 1000;
  }

  /** Counts a message that is going out. */
  count(bytes: number): void {
    this.messages += 1;
    this.bytes += bytes;
  }

  describe(): string {
    return `${this.messagesPerSecond} messages or ${(this.bytesPerSecond / 1e6).toFixed(0)} MB per second, over ${this.windowMs / 1000} s`;
  }
}

/** Sends one iopub message and returns its size in bytes. */
export type IopubSend = (msgType: string, content: unknown, parent: JupyterMessage, extra: { metadata?: Record<string, unknown>; buffers?: Buffer[] }) => number;

/**
 * Applies the limit to a cell's output and tells the cell what was dropped: a stderr notice
 * when dropping starts, and the count once its output flows again or the cell ends.
 */
export class OutputThrottle {
  /** Drops not yet reported, per parent msg_id. */
  private readonly dropped = new Map<string, { parent: JupyterMessage; count: number }>();

  constructor(
    private readonly send: IopubSend,
    private readonly limit = new OutputRateLimit(),
  ) {}

  /** Sends an output message (one of RATE_LIMITED_TYPES), or counts it as dropped. */
  publish(msgType: string, content: unknown, parent: JupyterMessage, extra: { metadata?: Record<string, unknown>; buffers?: Buffer[] }): void {
    if (!this.limit.hasRoom()) {
      this.drop(parent);
      return;
    }
    this.reportDropped(parent);
    this.limit.count(this.send(msgType, content, parent, extra));
  }

  /** Sends the count of the parent's dropped messages, if any are unreported. */
  reportDropped(parent: JupyterMessage): void {
    const entry = this.dropped.get(parent.header.msg_id);
    if (!entry) return;
    this.dropped.delete(parent.header.msg_id);
    this.notice(parent, `output rate exceeded: ${entry.count} messages dropped`);
  }

  private drop(parent: JupyterMessage): void {
    const entry = this.dropped.get(parent.header.msg_id);
    if (entry) {
      entry.count += 1;
      return;
    }
    this.dropped.set(parent.header.msg_id, { parent, count: 1 });
    this.notice(parent, `output rate exceeded: the kernel drops output beyond ${this.limit.describe()} (a count follows when output resumes or the cell ends)`);
  }

  /** Notices bypass the limit: they are what makes the loss visible. */
  private notice(parent: JupyterMessage, text: string): void {
    this.send("stream", { name: "stderr", text: `${text}\n` }, parent, {});
  }
}
