/**
 * Sends process.stdout/stderr writes (console.log and friends included) made by cell code
 * to the CellHost of the execution they belong to (see context.ts). Writes from anything
 * else (the kernel's own logging) reach the real streams unchanged.
 */
import { executions } from "./context";

type Write = typeof process.stdout.write;

function decode(chunk: unknown, encoding?: unknown): string {
  if (typeof chunk === "string") return chunk;
  if (chunk instanceof Uint8Array) {
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(
      typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8",
    );
  }
  return String(chunk);
}

function routed(stream: NodeJS.WriteStream, original: Write, kind: "stdout" | "stderr"): Write {
  return function write(this: unknown, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    const target = executions.outputTarget();
    if (!target) return (original as (...a: unknown[]) => boolean).call(stream, chunk, encoding, callback);
    const done = typeof encoding === "function" ? encoding : callback;
    target.host[kind](decode(chunk, encoding));
    if (typeof done === "function") process.nextTick(done as () => void);
    return true;
  } as Write;
}

/** Installs the routing; returns a function that restores the streams. */
export function captureProcessOutput(): () => void {
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = routed(process.stdout, out, "stdout");
  process.stderr.write = routed(process.stderr, err, "stderr");
  return () => {
    process.stdout.write = out;
    process.stderr.write = err;
  };
}
