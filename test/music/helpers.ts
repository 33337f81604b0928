import * as path from "path";

/** The shared data folder: $SEQLAB_DATA_DIR, else ../shared/data beside the repository. */
export function dataDir(): string {
  const fromEnv = process.env.SEQLAB_DATA_DIR;
  if (fromEnv && fromEnv.trim() !== "") return fromEnv;
  // compiled to dist/test/music: the repository root is three levels up
  return path.resolve(__dirname, "..", "..", "..", "..", "shared", "data");
}
