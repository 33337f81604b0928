/**
 * Capturing what a callback prints (process.stdout/stderr writes, console.log included) for
 * an Output widget. The streams are wrapped only while some capture runs, and writes from
 * code outside a capture pass through to whatever was there before (the kernel's routing).
 */
import { AsyncLocalStorage } from "async_hooks";

export type StreamName = "stdout" | "stderr";
export type StreamSink = (name: StreamName, text: string) => void;

type Write = typeof process.stdout.write;

const sinks = new AsyncLocalStorage<StreamSink>();
let wrapped: { stdout: Write; stderr: Write; mine: [Write, Write] } | undefined;
let running = 0;

function decode(chunk: unknown, encoding: unknown): string {
  if (typeof chunk === "string") return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
  return String(chunk);
}

function routed(stream: NodeJS.WriteStream, original: Write, name: StreamName): Write {
  return function write(this: unknown, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    const sink = sinks.getStore();
    if (!sink) return (original as (...a: unknown[]) => boolean).call(stream, chunk, encoding, callback);
    sink(name, decode(chunk, encoding));
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") process.nextTick(done as () => void);
    return true;
  } as Write;
}

function install(): void {
  if (running++ > 0) return;
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  const mine: [Write, Write] = [routed(process.stdout, stdout, "stdout"), routed(process.stderr, stderr, "stderr")];
  [process.stdout.write, process.stderr.write] = mine;
  wrapped = { stdout, stderr, mine };
}

function uninstall(): void {
  if (--running > 0 || !wrapped) return;
  // Put the originals back unless someone wrapped the streams after us (then ours passes through).
  if (process.stdout.write === wrapped.mine[0]) process.stdout.write = wrapped.stdout;
  if (process.stderr.write === wrapped.mine[1]) process.stderr.write = wrapped.stderr;
  wrapped = undefined;
}

/** Runs fn (sync or async); what it and the work it awaits print goes to `sink`. */
export async function capturePrints<T>(sink: StreamSink, fn: () => T | Promise<T>): Promise<T> {
  install();
  try {
    return await sinks.run(sink, fn);
  } finally {
    uninstall();
  }
}
