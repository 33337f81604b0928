/**
 * jupyter_kernel_test (the Jupyter project's kernel conformance suite, Python) against the
 * installed kernelspecs, through jupyter_client's own kernel manager.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { engineBuilt, repoRoot } from "../kernel/helpers";
import { makeJupyterHome, pythonWith, runCommand } from "./python";

const testDir = path.join(repoRoot, "test", "jupyter");

describe("jupyter_kernel_test conformance", function () {
  this.timeout(240000);
  let python: string | null;
  let home: ReturnType<typeof makeJupyterHome>;

  before(function () {
    python = pythonWith(["jupyter_kernel_test", "jupyter_client"]);
    if (!python) {
      console.log("    (skipped: no python3 with jupyter_kernel_test; apt-get install python3-jupyter-kernel-test)");
      this.skip();
    }
    home = makeJupyterHome();
  });

  after(() => home && fs.rmSync(home.dir, { recursive: true, force: true }));

  const cases: [string, string, () => boolean][] = [
    ["the protocol server with the JS test engine", "JsTestEngineKernelTests", () => true],
    ["the seqlab kernel (TypeScript engine)", "SeqlabKernelTests", engineBuilt],
  ];
  for (const [title, testCase, available] of cases) {
    it(`passes every test for ${title}`, async function () {
      if (!available()) throw new Error("dist/kernel/engine/index.js is missing: build the engine (npm run build)");
      const { code, output } = await runCommand(python!, ["-m", "unittest", "-v", `kernel_tests.${testCase}`], { env: home.env, cwd: testDir, timeoutMs: 200000 });
      expect(code, output).to.equal(0);
      // Every test ran: none skipped for a missing sample.
      expect(output, output).to.not.match(/skipped/i);
      expect(output).to.match(/Ran 1[0-9] tests/);
    });
  }
});
