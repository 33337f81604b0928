import { expect } from "chai";
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { kernelDir, makeKernelSpec } from "../../kernel/install";
import { pythonWith } from "../jupyter/python";
import * as net from "net";
import { KernelProcess, newConnectionInfo } from "../../kernel/jupyter-client";
import { cliPath, repoRoot } from "./helpers";
import type { CodeCell } from "../../kernel/runner/notebook";
import { runNotebook } from "../../kernel/runner/run-notebook";
import { code, notebook } from "../runner/helpers";

const run = promisify(execFile);

/** Runs the built CLI; resolves with exit code and output instead of throwing. */
async function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("seqlab CLI and kernelspec install", function () {
  this.timeout(30000);
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-install-"))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("prints help and version", async function () {
    const help = await cli(["--help"]);
    expect(help.code).to.equal(0);
    for (const sub of ["install", "kernel", "run", "bench"]) expect(help.stdout).to.contain(sub);
    const version = await cli(["--version"]);
    expect(version.stdout.trim()).to.equal(JSON.parse(fs.readFileSync(path.join(cliPath, "..", "..", "..", "package.json"), "utf8")).version);
    const installHelp = await cli(["install", "--help"]);
    expect(installHelp.stdout).to.contain("--sys-prefix").and.contain("--interrupt-mode");
  });

  it("installs into $JUPYTER_DATA_DIR by default, with argv running this CLI", async function () {
    const r = await cli(["install"], { ...process.env, JUPYTER_DATA_DIR: tmp });
    expect(r.code, r.stderr).to.equal(0);
    const spec = JSON.parse(fs.readFileSync(path.join(tmp, "kernels", "seqlab", "kernel.json"), "utf8"));
    expect(spec).to.deep.include({ display_name: "TypeScript (seqlab)", language: "typescript", interrupt_mode: "message", kernel_protocol_version: "5.5" });
    // Node runs the kernel with a small young generation (install.ts KERNEL_NODE_OPTIONS).
    expect(spec.argv).to.deep.equal([process.execPath, "--max-semi-space-size=2", cliPath, "kernel", "--connection-file", "{connection_file}"]);
    expect(spec.env).to.deep.equal({ MALLOC_ARENA_MAX: "2" });
    expect(fs.existsSync(path.join(tmp, "kernels", "seqlab", "logo-svg.svg"))).to.equal(true);
  });

  it("a kernel started as the kernelspec says runs with its node options and environment", async function () {
    const spec = makeKernelSpec({ cliPath });
    const kernel = await KernelProcess.start({ argv: spec.argv, env: { ...process.env, ...spec.env } });
    try {
      const { reply, iopub } = await kernel.client.execute('[process.execArgv.join(" "), process.env.MALLOC_ARENA_MAX].join(" | ")', { timeoutMs: 20000 });
      expect(reply.content.status, kernel.log).to.equal("ok");
      const result = iopub.find((m) => m.header.msg_type === "execute_result");
      expect((result?.content as { data: Record<string, string> }).data["text/plain"]).to.equal("'--max-semi-space-size=2 | 2'");
    } finally {
      await kernel.shutdown();
    }
  });

  it("`seqlab run` starts its kernels as the kernelspec does: the same node options and environment", async function () {
    const run = await runNotebook(notebook([code('[process.execArgv.join(" "), process.env.MALLOC_ARENA_MAX].join(" | ")')]));
    expect(run.failure, JSON.stringify(run.failure)).to.equal(undefined);
    const cell = run.notebook.cells.find((c): c is CodeCell => c.cell_type === "code")!;
    expect(cell.outputs).to.deep.include({ output_type: "execute_result", execution_count: 1, data: { "text/plain": "'--max-semi-space-size=2 | 2'" }, metadata: {} });
  });

  it("installs under --prefix DIR with a chosen name, display name and signal interrupts", async function () {
    const r = await cli(["install", "--prefix", tmp, "--name", "seqlab-dev", "--display-name", "Dev", "--interrupt-mode", "signal"]);
    expect(r.code, r.stderr).to.equal(0);
    const file = path.join(tmp, "share", "jupyter", "kernels", "seqlab-dev", "kernel.json");
    expect(r.stdout).to.contain(path.dirname(file));
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).to.deep.include({ display_name: "Dev", interrupt_mode: "signal" });
  });

  it("refuses bad names, several locations and unknown interrupt modes with a clear message", async function () {
    const badName = await cli(["install", "--prefix", tmp, "--name", "no spaces"]);
    expect(badName.code).to.equal(1);
    expect(badName.stderr).to.contain('invalid kernel name "no spaces"');
    const both = await cli(["install", "--user", "--prefix", tmp]);
    expect(both.code).to.equal(1);
    expect(both.stderr).to.contain("choose one of --user, --sys-prefix and --prefix");
    const mode = await cli(["install", "--prefix", tmp, "--interrupt-mode", "sometimes"]);
    expect(mode.code).to.not.equal(0);
    expect(mode.stderr).to.contain("sometimes");
    expect(fs.readdirSync(tmp)).to.deep.equal([]);
  });

  it("computes the --sys-prefix location from the Python that has Jupyter", function () {
    const python = pythonWith(["jupyter_core"]);
    if (!python) this.skip();
    const prefix = execFileSync(python!, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).trim();
    expect(kernelDir({ location: { kind: "sys-prefix" }, name: "x" })).to.equal(path.join(prefix, "share", "jupyter", "kernels", "x"));
  });

  it("is listed by `jupyter kernelspec list` once installed", async function () {
    const python = pythonWith(["jupyter_client"]);
    if (!python) this.skip();
    const env = { ...process.env, JUPYTER_DATA_DIR: tmp, JUPYTER_PATH: tmp };
    expect((await cli(["install"], env)).code).to.equal(0);
    const listed = JSON.parse(execFileSync(python!, ["-m", "jupyter_client.kernelspecapp", "list", "--json"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })) as {
      kernelspecs: Record<string, { resource_dir: string; spec: { language: string } }>;
    };
    expect(listed.kernelspecs.seqlab.resource_dir).to.equal(path.join(tmp, "kernels", "seqlab"));
    expect(listed.kernelspecs.seqlab.spec.language).to.equal("typescript");
  });

  it("explains a port that is already taken instead of starting", async function () {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const info = await newConnectionInfo();
      info.shell_port = (taken.address() as net.AddressInfo).port;
      const file = path.join(tmp, "conn.json");
      fs.writeFileSync(file, JSON.stringify(info));
      const r = await cli(["kernel", "--connection-file", file, "--engine", path.join(repoRoot, "dist", "test", "kernel", "fixtures", "js-engine.js")]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain(`cannot bind the shell socket to tcp://127.0.0.1:${info.shell_port}`);
    } finally {
      taken.close();
    }
  });

  it("reports an unreadable connection file instead of starting", async function () {
    const r = await cli(["kernel", "--connection-file", path.join(tmp, "missing.json")]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("cannot read connection file");
  });
});
