/**
 * RIFF/WAVE files with 8- or 16-bit PCM samples: writing, and reading back (for checks and
 * timidity). 8-bit PCM halves the size of a notebook's audio and every browser plays it.
 */

export interface PcmAudio {
  sampleRate: number;
  channels: number;
  bitsPerSample: BitsPerSample;
  /** Interleaved samples in [-1, 1]. */
  samples: Float32Array;
}

export type BitsPerSample = 8 | 16;

/**
 * Encode samples in [-1, 1] (clipped) as a PCM WAV file: 16-bit signed (default) or 8-bit
 * unsigned, as the WAV format stores them.
 */
export function encodeWav(samples: Float32Array, sampleRate: number, channels = 1, bitsPerSample: BitsPerSample = 16): Buffer {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`sampleRate must be a positive integer, got ${sampleRate}`);
  if (bitsPerSample !== 8 && bitsPerSample !== 16) throw new RangeError(`bitsPerSample must be 8 or 16, got ${bitsPerSample}`);
  const bytes = bitsPerSample / 8;
  const dataBytes = samples.length * bytes;
  // A RIFF chunk's body has an even length: an odd 8-bit data chunk gets a pad byte.
  const pad = dataBytes % 2;
  const buf = Buffer.alloc(44 + dataBytes + pad);
  buf.write("RIFF", 0, "ascii");
  buf.writeUInt32LE(36 + dataBytes + pad, 4);
  buf.write("WAVE", 8, "ascii");
  buf.write("fmt ", 12, "ascii");
  buf.writeUInt32LE(16, 16); // fmt chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * channels * bytes, 28); // bytes per second
  buf.writeUInt16LE(channels * bytes, 32); // block align
  buf.writeUInt16LE(bitsPerSample, 34);
  buf.write("data", 36, "ascii");
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) {
    const x = Math.max(-1, Math.min(1, samples[i]));
    if (bytes === 2) buf.writeInt16LE(Math.round(x * 32767), 44 + 2 * i);
    else buf[44 + i] = Math.min(255, Math.round(128 + x * 128)); // unsigned, silence at 128, as decodeWav reads it
  }
  return buf;
}

/** Decode an 8- or 16-bit PCM WAV file; throws a clear error for anything else. */
export function decodeWav(data: Uint8Array): PcmAudio {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 12 || buf.toString("ascii", 0, 4) !== "RIFF" || buf.toString("ascii", 8, 12) !== "WAVE") {
    throw new Error("Not a WAV file: it does not start with a RIFF/WAVE header.");
  }
  let offset = 12;
  let format: { channels: number; sampleRate: number; bits: number; code: number } | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString("ascii", offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === "fmt ") {
      format = {
        code: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === "data") {
      if (!format) throw new Error("WAV file has its data chunk before the fmt chunk.");
      if (format.code !== 1 || (format.bits !== 8 && format.bits !== 16)) {
        throw new Error(`Only 8- and 16-bit PCM WAV is read here; this file has format ${format.code}, ${format.bits} bits.`);
      }
      const bytes = format.bits / 8;
      // Some writers (timidity to a pipe) leave the size unset; read to the end then.
      const end = size === 0 || size === 0xffffffff ? buf.length : Math.min(buf.length, body + size);
      const count = Math.floor((end - body) / bytes);
      const samples = new Float32Array(count);
      for (let i = 0; i < count; i++) samples[i] = bytes === 2 ? buf.readInt16LE(body + 2 * i) / 32768 : (buf[body + i] - 128) / 128;
      return { sampleRate: format.sampleRate, channels: format.channels, bitsPerSample: format.bits as BitsPerSample, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new Error("WAV file has no data chunk.");
}

/** Length in seconds. */
export function wavSeconds(audio: PcmAudio): number {
  return audio.samples.length / audio.channels / audio.sampleRate;
}

/** Root mean square of the samples (0 for silence). */
export function rms(samples: Float32Array): number {
  let s = 0;
  for (let i = 0; i < samples.length; i++) s += samples[i] * samples[i];
  return samples.length ? Math.sqrt(s / samples.length) : 0;
}
