/**
 * jupyter_kernel_test (the Jupyter project's kernel conformance suite, Python) from the pinned
 * venv (.ci/requirements.txt) against the installed kernelspecs, through jupyter_client's own
 * kernel manager.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { engineBuilt, repoRoot } from "../kernel/helpers";
import { makeJupyterHome, runCommand } from "./python";
import { JupyterVenv, useJupyterVenv } from "./venv";

const testDir = path.join(repoRoot, "test", "jupyter");

describe("jupyter_kernel_test conformance", function () {
  this.timeout(240000);
  let venv: JupyterVenv;
  let home: ReturnType<typeof makeJupyterHome>;

  before(function () {
    venv = useJupyterVenv(this, ["jupyter_kernel_test", "jupyter_client"]);
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
      const { code, output } = await runCommand(venv.python, ["-m", "unittest", "-v", `kernel_tests.${testCase}`], { env: venv.env(home.env), cwd: testDir, timeoutMs: 200000 });
      expect(code, output).to.equal(0);
      // What the kernel says it speaks (5.3 today; 5.5 once kernel_info reports it).
      console.log(`      (the kernel reports protocol ${/protocol_version (\d+\.\d+)\s/.exec(output)?.[1] ?? "(none printed)"})`);
      // Every test ran: none skipped for a missing sample.
      expect(output, output).to.not.match(/skipped/i);
      expect(output).to.match(/Ran 1[0-9] tests/);
    });
  }
});
