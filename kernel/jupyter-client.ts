/**
 * A small Jupyter client over ZeroMQ: start a kernel process from a kernelspec-style argv,
 * send requests on shell/control/stdin, collect iopub by parent, answer input requests,
 * check the heartbeat, shut the kernel down. Used by the protocol tests and benchmarks, and
 * usable by anything that drives a kernel headlessly.
 */
import { spawn, ChildProcess } from "child_process";
import { randomBytes, randomUUID } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as zmq from "zeromq";
import { ConnectionInfo, decode, encode, endpoint, JupyterMessage, makeMessage, Signer } from "./wire";

export type RequestChannel = "shell" | "control" | "stdin";

/** Free TCP ports on 127.0.0.1, picked by binding port 0 (the kernel binds them right after). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** A fresh connection description: free TCP ports on loopback (or ipc paths) and a random key. */
export async function newConnectionInfo(options: { transport?: "tcp" | "ipc"; key?: string; dir?: string } = {}): Promise<ConnectionInfo> {
  const transport = options.transport ?? "tcp";
  const [shell_port, iopub_port, stdin_port, control_port, hb_port] =
    transport === "tcp" ? await freePorts(5) : [1, 2, 3, 4, 5];
  return {
    transport,
    ip: transport === "tcp" ? "127.0.0.1" : path.join(options.dir ?? os.tmpdir(), `seqlab-${randomUUID().slice(0, 8)}`),
    shell_port,
    iopub_port,
    stdin_port,
    control_port,
    hb_port,
    key: options.key ?? randomBytes(16).toString("hex"),
    signature_scheme: "hmac-sha256",
    kernel_name: "seqlab",
  };
}

export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`timed out after ${ms} ms waiting for ${what}`);
    this.name = "TimeoutError";
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface ExecuteOptions {
  silent?: boolean;
  store_history?: boolean;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
  user_expressions?: Record<string, string>;
  timeoutMs?: number;
}

export interface ExecuteResult {
  request: JupyterMessage;
  reply: JupyterMessage;
  /** iopub messages caused by the request, from busy to idle inclusive. */
  iopub: JupyterMessage[];
}

/** Connects to a running kernel's five sockets. */
export class JupyterClient {
  readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly sockets: Record<RequestChannel, zmq.Dealer>;
  private readonly iopubSocket: zmq.Subscriber;
  private readonly heartbeatSocket: zmq.Request;
  private readonly pending = new Map<string, (reply: JupyterMessage) => void>();
  /** Every iopub message received, in order. */
  readonly iopub: JupyterMessage[] = [];
  private iopubWaiters: (() => void)[] = [];
  private closed = false;
  /** Answers input_request; the default refuses, so a test that forgets it fails clearly. */
  onInputRequest: (request: JupyterMessage) => string | Promise<string> = () => {
    throw new Error("no input handler set on this JupyterClient");
  };

  constructor(readonly connection: ConnectionInfo) {
    this.signer = new Signer(connection.key, connection.signature_scheme);
    // shell and stdin share a routing id: the kernel sends input_request to the shell sender.
    const identity = `client-${this.session}`;
    // Retry connecting every 10 ms (ZeroMQ's default is 100 ms), so a client started before
    // the kernel has bound its ports reaches it as soon as it is up.
    const retry = { linger: 0, reconnectInterval: 10 };
    this.sockets = {
      shell: new zmq.Dealer({ ...retry, routingId: identity }),
      stdin: new zmq.Dealer({ ...retry, routingId: identity }),
      control: new zmq.Dealer(retry),
    };
    // No receive limit: a burst of output must not push out the final idle status.
    this.iopubSocket = new zmq.Subscriber({ ...retry, receiveHighWaterMark: 0 });
    this.heartbeatSocket = new zmq.Request(retry);
    for (const channel of ["shell", "control", "stdin"] as const) {
      this.sockets[channel].connect(endpoint(connection, channel));
      void this.receiveLoop(channel);
    }
    this.iopubSocket.connect(endpoint(connection, "iopub"));
    this.iopubSocket.subscribe();
    void this.iopubLoop();
    this.heartbeatSocket.connect(endpoint(connection, "hb"));
  }

  private async receiveLoop(channel: RequestChannel): Promise<void> {
    const socket = this.sockets[channel];
    try {
      for await (const frames of socket) {
        const msg = decode(frames, this.signer);
        if (channel === "stdin" && msg.header.msg_type === "input_request") {
          void this.answerInput(msg);
          continue;
        }
        const parentId = msg.parent_header.msg_id;
        const resolve = parentId ? this.pending.get(parentId) : undefined;
        if (resolve) {
          this.pending.delete(parentId!);
          resolve(msg);
        }
      }
    } catch (err) {
      if (!this.closed) throw err;
    }
  }

  private async answerInput(request: JupyterMessage): Promise<void> {
    const value = await this.onInputRequest(request);
    this.sendMessage("stdin", makeMessage("input_reply", { value }, { session: this.session, parent: request, identities: [] }));
  }

  private async iopubLoop(): Promise<void> {
    try {
      for await (const frames of this.iopubSocket) {
        // iopub frames start with the topic; decode treats it as an identity.
        this.iopub.push(decode(frames, this.signer));
        const waiters = this.iopubWaiters;
        this.iopubWaiters = [];
        waiters.forEach((wake) => wake());
      }
    } catch (err) {
      if (!this.closed) throw err;
    }
  }

  /** Builds a request message (not sent). */
  message(msgType: string, content: Record<string, unknown>, options: { metadata?: Record<string, unknown>; identities?: Buffer[] } = {}): JupyterMessage {
    return makeMessage(msgType, content, { session: this.session, identities: options.identities ?? [], metadata: options.metadata }) as JupyterMessage;
  }

  sendMessage(channel: RequestChannel, msg: JupyterMessage, signer: Signer = this.signer): void {
    void this.sockets[channel].send(encode(msg, signer));
  }

  /** Sends raw frames (for tests of malformed or badly signed messages). */
  sendFrames(channel: RequestChannel, frames: Buffer[]): Promise<void> {
    return this.sockets[channel].send(frames);
  }

  /** Sends a message and resolves with its reply. */
  request(channel: RequestChannel, msgOrType: JupyterMessage | string, content: Record<string, unknown> = {}, timeoutMs = 30000): Promise<JupyterMessage> {
    const msg = typeof msgOrType === "string" ? this.message(msgOrType, content) : msgOrType;
    const reply = this.replyTo(msg, timeoutMs);
    this.sendMessage(channel, msg);
    return reply;
  }

  /** Resolves with the reply to an already built (and maybe not yet sent) message. */
  replyTo(msg: JupyterMessage, timeoutMs = 30000): Promise<JupyterMessage> {
    const reply = new Promise<JupyterMessage>((resolve) => this.pending.set(msg.header.msg_id, resolve));
    return withTimeout(reply, timeoutMs, `the reply to ${msg.header.msg_type}`).finally(() => this.pending.delete(msg.header.msg_id));
  }

  /** iopub messages whose parent is `msgId`, in order. */
  iopubFor(msgId: string): JupyterMessage[] {
    return this.iopub.filter((m) => m.parent_header.msg_id === msgId);
  }

  /** Waits until a matching iopub message has arrived, and returns it. */
  async waitForIopub(predicate: (m: JupyterMessage) => boolean, timeoutMs = 30000, what = "an iopub message"): Promise<JupyterMessage> {
    const search = async (): Promise<JupyterMessage> => {
      for (;;) {
        const found = this.iopub.find(predicate);
        if (found) return found;
        await new Promise<void>((resolve) => this.iopubWaiters.push(resolve));
      }
    };
    return withTimeout(search(), timeoutMs, what);
  }

  /** Waits for the idle status of a request; returns its iopub messages, busy to idle. */
  async idleOf(msgId: string, timeoutMs = 30000): Promise<JupyterMessage[]> {
    await this.waitForIopub(
      (m) => m.parent_header.msg_id === msgId && m.header.msg_type === "status" && m.content.execution_state === "idle",
      timeoutMs,
      "the idle status",
    );
    return this.iopubFor(msgId);
  }

  /** Sends execute_request and waits for both its reply and its idle status. */
  async execute(code: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    const { timeoutMs = 30000, ...rest } = options;
    const request = this.message("execute_request", {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: true,
      stop_on_error: true,
      ...rest,
    });
    const replyPromise = this.replyTo(request, timeoutMs);
    this.sendMessage("shell", request);
    const [reply, iopub] = await Promise.all([replyPromise, this.idleOf(request.header.msg_id, timeoutMs)]);
    return { request, reply, iopub };
  }

  /** True when the heartbeat echoes within `timeoutMs`. */
  async heartbeat(timeoutMs = 1000): Promise<boolean> {
    const payload = Buffer.from(randomUUID());
    try {
      await this.heartbeatSocket.send(payload);
      const [echo] = await withTimeout(this.heartbeatSocket.receive(), timeoutMs, "the heartbeat");
      return echo.equals(payload);
    } catch {
      return false;
    }
  }

  /**
   * Waits until the kernel answers kernel_info and its iopub reaches us. A SUB socket only
   * gets messages once its subscription has propagated, so probe until a status arrives.
   */
  async waitForReady(timeoutMs = 30000): Promise<JupyterMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new TimeoutError("the kernel to become ready", timeoutMs);
      const request = this.message("kernel_info_request", {});
      try {
        const reply = await this.request("shell", request, {}, Math.min(left, 2000));
        await this.waitForIopub((m) => m.parent_header.msg_id === request.header.msg_id, Math.min(Math.max(deadline - Date.now(), 1), 200));
        return reply;
      } catch (err) {
        if (!(err instanceof TimeoutError)) throw err;
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const socket of Object.values(this.sockets)) socket.close();
    this.iopubSocket.close();
    this.heartbeatSocket.close();
  }
}

export interface KernelProcessOptions {
  /** argv; the string "{connection_file}" is replaced with the connection file's path. */
  argv: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  transport?: "tcp" | "ipc";
  /** Called with everything the kernel writes to stdout/stderr (default: kept in `log`). */
  onOutput?: (text: string) => void;
}

/** A kernel child process plus a connected client. */
export class KernelProcess {
  /** What the kernel printed (stdout and stderr), for error messages in tests. */
  log = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly child: ChildProcess,
    readonly client: JupyterClient,
    readonly connectionFile: string,
    private readonly tempDir: string,
    onOutput?: (text: string) => void,
  ) {
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString("utf8");
      this.log += text;
      onOutput?.(text);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  /** Writes a connection file, spawns the kernel and connects (does not wait for readiness). */
  static async start(options: KernelProcessOptions): Promise<KernelProcess> {
    const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-kernel-"));
    const info = await newConnectionInfo({ transport: options.transport, dir: tempDir });
    const connectionFile = path.join(tempDir, "kernel.json");
    fs.writeFileSync(connectionFile, JSON.stringify(info));
    const [command, ...args] = options.argv.map((a) => a.replace("{connection_file}", connectionFile));
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const client = new JupyterClient(info);
    return new KernelProcess(child, client, connectionFile, tempDir, options.onOutput);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Asks the kernel to shut down; kills it if it has not exited within `timeoutMs`. */
  async shutdown(timeoutMs = 5000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.client.sendMessage("control", this.client.message("shutdown_request", { restart: false }));
      try {
        await withTimeout(this.exited, timeoutMs, "the kernel to exit");
      } catch {
        this.child.kill("SIGKILL");
        await this.exited;
      }
    }
    this.dispose();
  }

  /** Closes the client and removes the connection file (the process must be gone). */
  dispose(): void {
    this.client.close();
    fs.rmSync(this.tempDir, { recursive: true, force: true });
  }
}
