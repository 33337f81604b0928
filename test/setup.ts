/**
 * Loaded by mocha before every test file (see .mocharc.json): points the corpus loader at
 * the shared data folder beside the checkout unless the caller chose another, and gives
 * every test file the same starting state (see ./environment).
 */
import * as path from "path";
import type { Context } from "mocha";
import { applyTestDefaults, checkHandedBack } from "./environment";

const repoRoot = path.resolve(__dirname, "..", "..");
if (!process.env.SEQLAB_DATA_DIR) {
  process.env.SEQLAB_DATA_DIR = path.resolve(repoRoot, "..", "shared", "data");
}

export const mochaHooks = {
  async beforeAll(this: Context) {
    const defaults = await applyTestDefaults();
    // Every file's top-level suites are loaded by now: each must hand the state back.
    for (const suite of this.test!.parent!.suites) {
      suite.afterAll("hands back the shared test state", () => checkHandedBack(defaults, suite.fullTitle()));
    }
  },
};
