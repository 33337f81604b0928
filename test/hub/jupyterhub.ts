/**
 * A JupyterHub on loopback for tests: its own workspace, configurable-http-proxy from this
 * repository's node_modules, the local-process spawner (every user's server runs as this
 * OS user, with a home of its own under the workspace), the seqlab kernelspec installed as a
 * deployment would (`seqlab install --prefix` into the hub's environment, visible to every
 * single-user server through JUPYTER_PATH), and an admin service token for the REST API.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cliPath, repoRoot } from "../kernel/helpers";
import { freePort, stopAndSweep } from "../e2e/notebook-server";
import type { JupyterVenv } from "../jupyter/venv";

export interface Hub {
  /** http://127.0.0.1:PORT, the proxy users reach. */
  url: string;
  token: string;
  workspace: string;
  log(): string;
  /** The hub's REST API (`/hub/api/...`) or a user's server (`/user/NAME/...`), as the admin service. */
  request(method: string, urlPath: string, body?: unknown): Promise<unknown>;
  /** Creates the users and starts their servers; resolves when every one is ready. */
  startServers(names: string[]): Promise<void>;
  stopServer(name: string): Promise<void>;
  /** Stops the hub (and with it every server), removes the workspace; returns processes that still named it. */
  stop(): Promise<number[]>;
}

const pyString = (s: string) => JSON.stringify(s);

export async function startHub(venv: JupyterVenv, environment: Record<string, string>): Promise<Hub> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-hub-"));
  const token = randomBytes(24).toString("hex");
  const [port, hubPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const prefix = path.join(workspace, "env");
  execFileSync(process.execPath, [cliPath, "install", "--prefix", prefix], { stdio: "ignore" });
  const config = `
c = get_config()
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = ${port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = ${hubPort}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:${apiPort}"
c.ConfigurableHTTPProxy.command = [${pyString(path.join(repoRoot, "node_modules", ".bin", "configurable-http-proxy"))}]
c.JupyterHub.db_url = ${pyString(`sqlite:///${path.join(workspace, "hub.sqlite")}`)}
c.JupyterHub.cookie_secret_file = ${pyString(path.join(workspace, "cookie_secret"))}
c.JupyterHub.authenticator_class = "null"
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = ${pyString(path.join(workspace, "home", "{username}"))}
c.JupyterHub.services = [{"name": "classroom-test", "api_token": ${pyString(token)}}]
c.JupyterHub.load_roles = [{"name": "classroom-test", "scopes": ["admin:users", "admin:servers", "access:servers"], "services": ["classroom-test"]}]
c.Spawner.environment = ${JSON.stringify({ ...environment, JUPYTER_PATH: path.join(prefix, "share", "jupyter") })}
c.Spawner.args = ${process.getuid?.() === 0 ? '["--ServerApp.allow_root=True"]' : "[]"}
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
`;
  fs.writeFileSync(path.join(workspace, "jupyterhub_config.py"), config);
  let output = "";
  const child: ChildProcess = spawn(path.join(venv.bin, "jupyterhub"), ["-f", "jupyterhub_config.py"], {
    cwd: workspace, env: venv.env(process.env), stdio: ["ignore", "pipe", "pipe"],
  });
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const url = `http://127.0.0.1:${port}`;

  const request = async (method: string, urlPath: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(url + urlPath, {
      method, headers: { Authorization: `token ${token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${urlPath}: HTTP ${res.status} ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : undefined;
  };
  const waitFor = async (what: string, ready: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`JupyterHub exited (${child.exitCode ?? child.signalCode}) while waiting for ${what}:\n${output.slice(-4000)}`);
      if (await ready().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${output.slice(-4000)}`);
  };
  const hub: Hub = {
    url, token, workspace, request,
    log: () => output,
    async startServers(names) {
      await request("POST", "/hub/api/users", { usernames: names });
      for (const name of names) await request("POST", `/hub/api/users/${name}/server`);
      await Promise.all(names.map((name) => waitFor(`${name}'s server`, async () => {
        const user = (await request("GET", `/hub/api/users/${name}`)) as { servers: Record<string, { ready: boolean }> };
        return user.servers[""]?.ready === true;
      }, 300_000)));
    },
    async stopServer(name) {
      await request("DELETE", `/hub/api/users/${name}/server`);
      await waitFor(`${name}'s server to stop`, async () => {
        const user = (await request("GET", `/hub/api/users/${name}`)) as { servers: Record<string, unknown> };
        return !user.servers[""];
      }, 120_000);
    },
    stop: () => stopAndSweep(child, workspace),
  };
  try {
    await waitFor("the hub's API", async () => (await fetch(`${url}/hub/api/`)).ok, 120_000);
  } catch (err) {
    await hub.stop();
    throw err;
  }
  return hub;
}
