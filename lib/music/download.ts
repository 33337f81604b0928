/** Fetching a file over HTTP(S) with progress, checking its sha256, and storing it atomically. */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface DownloadProgress {
  /** Bytes received so far. */
  received: number;
  /** Bytes expected (from Content-Length), or undefined when the server does not say. */
  total: number | undefined;
}

export interface DownloadOptions {
  /** Expected sha256 (hex); the file is rejected and not stored when it differs. */
  sha256?: string;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Download `url` into memory, reporting progress per chunk; checks the hash when given. */
export async function downloadBytes(url: string, options: DownloadOptions = {}): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: options.signal });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new Error(`Could not reach ${url}: ${(err as Error).message}${cause ? ` (${cause})` : ""}`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`Downloading ${url} failed: HTTP ${response.status} ${response.statusText}`);
  }
  const header = response.headers.get("content-length");
  const total = header !== null && Number.isFinite(Number(header)) ? Number(header) : undefined;
  const chunks: Buffer[] = [];
  let received = 0;
  options.onProgress?.({ received, total });
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value));
      received += value.byteLength;
      options.onProgress?.({ received, total });
    }
  }
  const data = Buffer.concat(chunks);
  if (options.sha256 !== undefined) {
    const actual = sha256Hex(data);
    if (actual !== options.sha256.toLowerCase()) {
      throw new Error(
        `Downloaded ${url} (${data.length} bytes) but its sha256 is ${actual}, expected ` +
          `${options.sha256}. The file was not stored; the server may have sent an error page ` +
          `or a different version.`,
      );
    }
  }
  return data;
}

/** Write through a temporary file and rename, so a crash never leaves half a file behind. */
export function writeFileAtomic(target: string, data: Uint8Array): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.${Date.now()}.part`;
  fs.writeFileSync(temp, data);
  fs.renameSync(temp, target);
}
