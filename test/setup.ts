/**
 * Loaded by mocha before every test file (see .mocharc.json): points the corpus loader at
 * the shared data folder beside the checkout unless the caller chose another.
 */
import * as path from "path";

const repoRoot = path.resolve(__dirname, "..", "..");
if (!process.env.SEQLAB_DATA_DIR) {
  process.env.SEQLAB_DATA_DIR = path.resolve(repoRoot, "..", "shared", "data");
}
