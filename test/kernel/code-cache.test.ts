/**
 * A kernel's start through the CLI caches the code V8 compiled for the kernel's own modules
 * and its dependencies (cli.ts, engine/code-cache.ts), and the next kernel uses that data
 * (V8 accepted it: a rejected file would be written again).
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { unsealCodeCache } from "../../kernel/engine/code-cache";
import { engineBuilt, engineDialect, startKernel } from "./helpers";

describe("kernel: V8's code cache for the kernel's own modules", function () {
  this.timeout(120000);
  let dir: string;

  before(function () {
    if (!engineBuilt() || typeof (require("module") as { enableCompileCache?: unknown }).enableCompileCache === "function") this.skip(); // Node >= 22.1 caches by itself
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-kernel-cache-"));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a kernel with the cache in `dir`, runs a cell, shuts it down. */
  const startAndRun = async () => {
    const kernel = await startKernel(engineDialect, { env: { ...process.env, SEQLAB_CACHE_DIR: dir } });
    try {
      const { iopub } = await kernel.client.execute("1 + 1");
      expect(iopub.find((m) => m.header.msg_type === "execute_result")?.content.data).to.deep.equal({ "text/plain": "2" });
    } finally {
      await kernel.shutdown();
    }
  };
  const cacheFiles = () => {
    const modules = path.join(dir, "modules");
    return new Map(fs.readdirSync(modules).filter((f) => f.endsWith(".v8cache")).map((f) => [f, fs.statSync(path.join(modules, f)).ino]));
  };

  it("caches them at the first start, sealed, and the next kernel uses the data without writing it again", async () => {
    await startAndRun();
    const first = cacheFiles();
    const names = [...first.keys()].map((f) => f.replace(/-[0-9a-f]{16}\.v8cache$/, ""));
    // The kernel's server and its command-line parser (a dependency), loaded before any cell.
    expect(names).to.include.members(["server", "command"]);
    for (const f of first.keys()) expect(unsealCodeCache(fs.readFileSync(path.join(dir, "modules", f))), f).to.not.equal(undefined);
    await startAndRun();
    const second = cacheFiles();
    // The same files (more if the second kernel loaded modules the first did not), none rewritten.
    for (const [f, inode] of first) expect(second.get(f), f).to.equal(inode);
  });
});
