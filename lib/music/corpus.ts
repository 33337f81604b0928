/**
 * The Lab 1 Part 2 corpus (irish.abc): find it where the user keeps it, else in the user
 * cache, else download the public copy from the course package, check it and cache it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProgressBar } from "../viz/live";
import { downloadBytes, DownloadProgress, sha256Hex, writeFileAtomic } from "./download";
import { distinctCharacters, joinSongs, splitSongs } from "./songs";

/** Where the lab's file lives upstream and what it hashes to. */
export const LAB_CORPUS = {
  fileName: "irish.abc",
  url:
    "https://raw.githubusercontent.com/MITDeepLearning/introtodeeplearning/master/" +
    "mitdeeplearning/data/irish.abc",
  sha256: "df3782d5f7b5a2f4c66aa7c13f13008d5f48757b3f5f51620cd6c1ceb2c53023",
} as const;

export interface CorpusOptions {
  /** An explicit file; when given it must exist (nothing else is tried). */
  path?: string;
  /** Folder holding irish.abc; default $SEQLAB_DATA_DIR. */
  dataDir?: string;
  /** Cache folder; default $XDG_CACHE_HOME/seqlab or ~/.cache/seqlab. */
  cacheDir?: string;
  /** Download when no local copy is found. Default true. */
  download?: boolean;
  /** Source of the download (tests point it at a local server). */
  url?: string;
  /** Expected sha256 of the download. */
  sha256?: string;
  /** Progress of a download; default a ProgressBar (notebook display or stderr). */
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

/** Raised when the corpus is nowhere; the message lists every place looked. */
export class CorpusNotFoundError extends Error {
  constructor(
    readonly looked: string[],
    reason: string,
  ) {
    super(
      `Could not find ${LAB_CORPUS.fileName}. Looked in:\n` +
        looked.map((p) => `  - ${p}`).join("\n") +
        `\n${reason}\nFix: pass { path: "/path/to/irish.abc" }, set SEQLAB_DATA_DIR to the ` +
        `folder that holds it, or allow the download (needs internet).`,
    );
    this.name = "CorpusNotFoundError";
  }
}

export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && xdg.trim() !== "" ? xdg : path.join(os.homedir(), ".cache"), "seqlab");
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The path of irish.abc, downloading it into the cache when no local copy exists. */
export async function locateLabCorpus(options: CorpusOptions = {}): Promise<string> {
  if (options.path !== undefined) {
    const explicit = path.resolve(options.path);
    if (isFile(explicit)) return explicit;
    throw new CorpusNotFoundError([explicit], "The path you passed does not name a file.");
  }
  const looked: string[] = [];
  const dataDir = options.dataDir ?? process.env.SEQLAB_DATA_DIR;
  if (dataDir && dataDir.trim() !== "") {
    const candidate = path.resolve(dataDir, LAB_CORPUS.fileName);
    if (isFile(candidate)) return candidate;
    looked.push(`${candidate} (SEQLAB_DATA_DIR)`);
  } else {
    looked.push("$SEQLAB_DATA_DIR/irish.abc (SEQLAB_DATA_DIR is not set)");
  }
  const sha256 = options.sha256 ?? LAB_CORPUS.sha256;
  const cached = path.join(options.cacheDir ?? defaultCacheDir(), LAB_CORPUS.fileName);
  // A cached copy is trusted only when it is the exact file; a damaged one is fetched again.
  if (isFile(cached) && sha256Hex(fs.readFileSync(cached)) === sha256) return cached;
  looked.push(`${cached} (user cache)`);
  if (options.download === false) {
    throw new CorpusNotFoundError(looked, "Downloading was turned off ({ download: false }).");
  }
  const url = options.url ?? LAB_CORPUS.url;
  let data: Buffer;
  const bar = options.onProgress ? undefined : new ProgressBar({ label: "irish.abc", unit: "KB" });
  try {
    data = await downloadBytes(url, {
      sha256,
      signal: options.signal,
      onProgress:
        options.onProgress ??
        ((p) => bar!.update(p.received / 1024, { total: p.total === undefined ? undefined : p.total / 1024 })),
    });
  } catch (err) {
    throw new CorpusNotFoundError(looked, `Downloading it failed: ${(err as Error).message}`);
  }
  bar?.finish();
  writeFileAtomic(cached, data);
  return cached;
}

/** The corpus text. */
export async function loadLabCorpus(options: CorpusOptions = {}): Promise<string> {
  return fs.readFileSync(await locateLabCorpus(options), "utf8");
}

export interface LabSongs {
  /** Where the text came from. */
  path: string;
  songs: string[];
  /** Songs joined by blank lines: the text the lab trains on. */
  text: string;
  /** Sorted distinct characters of `text`. */
  vocabulary: string[];
}

/** Songs of a corpus text; throws a clear error when the split finds none. */
export function songsFromText(text: string, source = "the text"): string[] {
  const songs = splitSongs(text.replace(/\r\n?/g, "\n"));
  if (songs.length === 0) {
    throw new Error(
      `Found 0 songs in ${source}. Songs must be separated by a blank line ("\\n\\n"), and ` +
        `the file must end with one; check that the file is ABC text (it starts with "X:1") ` +
        `and not an HTML page or an empty download.`,
    );
  }
  return songs;
}

/** Load and split the lab corpus: 817 songs and 83 characters for the lab's file. */
export async function loadLabSongs(options: CorpusOptions = {}): Promise<LabSongs> {
  const file = await locateLabCorpus(options);
  const songs = songsFromText(fs.readFileSync(file, "utf8"), file);
  const text = joinSongs(songs);
  return { path: file, songs, text, vocabulary: distinctCharacters(text) };
}
