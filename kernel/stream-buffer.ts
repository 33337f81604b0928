/**
 * Coalesces a cell's stdout/stderr writes into fewer `stream` messages, as ipykernel does.
 *
 * Why: a loop that prints 20 000 lines would otherwise send 20 000 iopub messages; past the
 * PUB socket's high-water mark ZeroMQ drops messages (the final idle among them), and
 * frontends slow down rendering them one by one.
 *
 * A write after a quiet spell (nothing sent for `maxDelayMs`) goes out at once, so a print
 * before a long synchronous computation is seen while it runs. Writes that follow closely
 * are held until the stream name changes, another kind of output must go out (the owner
 * calls flush() first), the buffer grows large, or it has waited `maxDelayMs`. That age is
 * checked on every write as well as by a timer, since a synchronous loop blocks timers.
 */
export type StreamName = "stdout" | "stderr";

export class StreamBuffer {
  private name: StreamName | null = null;
  private parts: string[] = [];
  private size = 0;
  private since = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastSent = -Infinity;

  constructor(
    private readonly send: (name: StreamName, text: string) => void,
    private readonly maxDelayMs = 50,
    private readonly maxChars = 64 * 1024,
  ) {}

  write(name: StreamName, text: string): void {
    if (!text) return;
    if (this.name !== null && this.name !== name) this.flush();
    if (this.name === null && Date.now() - this.lastSent >= this.maxDelayMs) {
      this.lastSent = Date.now();
      this.send(name, text);
      return;
    }
    if (this.name === null) {
      this.name = name;
      this.since = Date.now();
      this.timer = setTimeout(() => this.flush(), this.maxDelayMs);
    }
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= this.maxChars || Date.now() - this.since >= this.maxDelayMs) this.flush();
  }

  /** Sends whatever is held now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.name === null) return;
    const name = this.name;
    const text = this.parts.join("");
    this.name = null;
    this.parts = [];
    this.size = 0;
    this.lastSent = Date.now();
    this.send(name, text);
  }
}
