/**
 * A limit on how much output the kernel sends on iopub, in the manner of jupyter-server's
 * iopub_msg_rate_limit and iopub_data_rate_limit: past the limit, output messages are dropped
 * and counted, and the cell is told so in a visible notice, instead of ZeroMQ silently dropping
 * whatever lies past its high-water mark (which used to include the final idle status).
 *
 * Only output is limited (stream, display_data, update_display_data, clear_output): status,
 * replies, execute_input/execute_result/error and comm messages always go out.
 */

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
