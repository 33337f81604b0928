/**
 * Loaded by mocha before every test file (see .mocharc.json): points the corpus loader at
 * the shared data folder beside the checkout unless the caller chose another, and gives
 * every test file the same starting state (see ./environment).
 */
import * as path from "path";
import type { Context } from "mocha";
import { applyTestDefaults, checkHandedBack } from "./environment";
import { disposeSharedEngine } from "./engine/harness";

const repoRoot = path.resolve(__dirname, "..", "..");
if (!process.env.SEQLAB_DATA_DIR) {
  process.env.SEQLAB_DATA_DIR = path.resolve(repoRoot, "..", "shared", "data");
}
// Figures carry plotly.js as in a plain kernel, also when mocha runs in VS Code's terminal
// (VSCODE_PID) or with a choice left in the shell; the tests of that choice set it themselves.
delete process.env.VSCODE_PID;
delete process.env.SEQLAB_PLOTLY_JS;

export const mochaHooks = {
  async beforeAll(this: Context) {
    const defaults = await applyTestDefaults();
    // Every file's top-level suites are loaded by now: each must hand the state back.
    for (const suite of this.test!.parent!.suites) {
      suite.afterAll("hands back the shared test state", async () => {
        // An engine left up would keep process-wide hooks (output capture, SIGINT) that the
        // check below takes back, and the next suite would get a half-working engine.
        await disposeSharedEngine();
        await checkHandedBack(defaults, suite.fullTitle());
      });
    }
  },
};
