/**
 * The one Jupyter client of this package, over ZeroMQ: start a kernel process from a
 * kernelspec-style argv, send requests on shell/control/stdin, stream iopub per message (or
 * collect it per request), answer input requests, check the heartbeat, interrupt, notice a
 * kernel that died (quoting its last output), and shut it down without leaving it behind.
 * Used by `seqlab run` (kernel/runner), the kernel benchmark and the protocol tests.
 */
import { spawn, ChildProcess } from "child_process";
import { randomBytes, randomUUID } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as zmq from "zeromq";
import { OWNED_DIR_ENV } from "./owned-files";
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

/** The kernel process ended (crashed or was shut down) while something waited on it. */
export class KernelDiedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KernelDiedError";
  }
}

/** A timeout of undefined, Infinity or a negative number means: wait without limit. */
function hasLimit(ms: number | undefined): ms is number {
  return ms !== undefined && Number.isFinite(ms) && ms >= 0;
}

function withTimeout<T>(promise: Promise<T>, ms: number | undefined, what: string): Promise<T> {
  // setTimeout(Infinity) would fire at once (it overflows to 1 ms), so no limit means no timer.
  if (!hasLimit(ms)) return promise;
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** True when `promise` settles within `ms`; the timer never outlives the wait. */
function settlesWithin(promise: Promise<unknown>, ms: number | undefined): Promise<boolean> {
  if (!hasLimit(ms)) return promise.then(() => true, () => true);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([promise.then(() => true, () => true), late]).finally(() => clearTimeout(timer));
}

export interface ExecuteOptions {
  silent?: boolean;
  store_history?: boolean;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
  user_expressions?: Record<string, string>;
  /** Limit for the reply and the idle status; undefined or Infinity waits without limit. Default 30 s. */
  timeoutMs?: number;
}

export interface ExecuteResult {
  request: JupyterMessage;
  reply: JupyterMessage;
  /** iopub messages caused by the request, from busy to idle inclusive. */
  iopub: JupyterMessage[];
}

/** When the kernel said what, for a cell (ISO dates from the message headers, as nbclient records them). */
export interface ExecutionTiming {
  "iopub.status.busy"?: string;
  "iopub.execute_input"?: string;
  "shell.execute_reply"?: string;
  "iopub.status.idle"?: string;
}

export interface StreamedExecution {
  request: JupyterMessage;
  reply: JupyterMessage;
  timing: ExecutionTiming;
  /** False when the reply came but the closing idle status did not within the grace time. */
  sawIdle: boolean;
}

export interface StreamOptions extends Omit<ExecuteOptions, "timeoutMs"> {
  /** Limit for the execute_reply; undefined or Infinity (the default here) waits without limit. */
  timeoutMs?: number;
  /** How long to wait for the idle status once the reply is in (iopub may trail the shell reply). */
  idleGraceMs?: number;
}

const isIdle = (m: JupyterMessage): boolean => m.header.msg_type === "status" && m.content.execution_state === "idle";

interface PendingReply {
  resolve: (reply: JupyterMessage) => void;
  reject: (err: Error) => void;
}

export interface JupyterClientOptions {
  /**
   * Keep every iopub message in `iopub` (protocol tests search it afterwards). A long-running
   * consumer that streams per message (the notebook runner) turns this off so memory stays flat.
   */
  keepIopub?: boolean;
}

/** Connects to a running kernel's five sockets. */
export class JupyterClient {
  readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly sockets: Record<RequestChannel, zmq.Dealer>;
  private readonly iopubSocket: zmq.Subscriber;
  private readonly heartbeatSocket: zmq.Request;
  private readonly pending = new Map<string, PendingReply>();
  /** Per-parent listeners: every iopub message whose parent is the key, as it arrives. */
  private readonly iopubListeners = new Map<string, Set<(m: JupyterMessage) => void>>();
  /** Every iopub message received, in order (empty when keepIopub is off). */
  readonly iopub: JupyterMessage[] = [];
  private readonly keepIopub: boolean;
  private iopubWaiters: (() => void)[] = [];
  private closed = false;
  /** Why the kernel can no longer answer (set by fail()); waits then reject at once. */
  private deadReason: string | undefined;
  private readonly deathWaiters = new Set<(err: Error) => void>();
  /** Answers input_request; the default refuses, so a caller that forgets it fails clearly. */
  onInputRequest: (request: JupyterMessage) => string | Promise<string> = () => {
    throw new Error("no input handler set on this JupyterClient");
  };

  constructor(readonly connection: ConnectionInfo, options: JupyterClientOptions = {}) {
    this.keepIopub = options.keepIopub ?? true;
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

  /** Decoded messages from a socket; malformed or badly signed ones are dropped, as Jupyter clients do. */
  private async *messages(socket: zmq.Dealer | zmq.Subscriber): AsyncGenerator<JupyterMessage> {
    try {
      for await (const frames of socket) {
        try {
          // iopub frames start with the topic; decode treats it as an identity.
          yield decode(frames as Buffer[], this.signer);
        } catch {
          continue;
        }
      }
    } catch (err) {
      if (!this.closed) throw err;
    }
  }

  private async receiveLoop(channel: RequestChannel): Promise<void> {
    for await (const msg of this.messages(this.sockets[channel])) {
      if (channel === "stdin" && msg.header.msg_type === "input_request") {
        void this.answerInput(msg);
        continue;
      }
      const parentId = msg.parent_header.msg_id;
      const waiter = parentId ? this.pending.get(parentId) : undefined;
      if (waiter) {
        this.pending.delete(parentId!);
        waiter.resolve(msg);
      }
    }
  }

  private async answerInput(request: JupyterMessage): Promise<void> {
    const value = await this.onInputRequest(request);
    this.sendMessage("stdin", makeMessage("input_reply", { value }, { session: this.session, parent: request, identities: [] }));
  }

  private async iopubLoop(): Promise<void> {
    for await (const msg of this.messages(this.iopubSocket)) {
      if (this.keepIopub) this.iopub.push(msg);
      const listeners = this.iopubListeners.get(String(msg.parent_header.msg_id));
      if (listeners) for (const listen of [...listeners]) listen(msg);
      const waiters = this.iopubWaiters;
      this.iopubWaiters = [];
      waiters.forEach((wake) => wake());
    }
  }

  /**
   * Calls `listener` with each iopub message whose parent is `msgId`, as it arrives (register
   * before sending the request so busy is not missed). Returns a function that stops it.
   */
  onIopub(msgId: string, listener: (m: JupyterMessage) => void): () => void {
    let set = this.iopubListeners.get(msgId);
    if (!set) this.iopubListeners.set(msgId, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0 && this.iopubListeners.get(msgId) === set) this.iopubListeners.delete(msgId);
    };
  }

  /**
   * Marks the kernel as gone: every waiting request rejects with `reason`, later ones at once.
   * KernelProcess calls this when the process exits.
   */
  fail(reason: string): void {
    if (this.deadReason) return;
    this.deadReason = reason;
    const err = new KernelDiedError(reason);
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
    for (const wake of [...this.deathWaiters]) wake(err);
    this.deathWaiters.clear();
  }

  /** Why the kernel is gone, or undefined while it is (as far as we know) alive. */
  get failure(): string | undefined {
    return this.deadReason;
  }

  /** `promise`, but rejecting as soon as the kernel is known to be dead. */
  private unlessDead<T>(promise: Promise<T>): Promise<T> {
    if (this.deadReason) return Promise.reject(new KernelDiedError(this.deadReason));
    let onDeath!: (err: Error) => void;
    const death = new Promise<never>((_, reject) => {
      onDeath = reject;
      this.deathWaiters.add(onDeath);
    });
    return Promise.race([promise, death]).finally(() => this.deathWaiters.delete(onDeath));
  }

  /** Builds a request message (not sent). */
  message(msgType: string, content: Record<string, unknown>, options: { metadata?: Record<string, unknown>; identities?: Buffer[] } = {}): JupyterMessage {
    return makeMessage(msgType, content, { session: this.session, identities: options.identities ?? [], metadata: options.metadata }) as JupyterMessage;
  }

  sendMessage(channel: RequestChannel, msg: JupyterMessage, signer: Signer = this.signer): void {
    this.sockets[channel].send(encode(msg, signer)).catch((err: Error) => {
      const waiter = this.pending.get(msg.header.msg_id);
      this.pending.delete(msg.header.msg_id);
      waiter?.reject(err);
    });
  }

  /** Sends raw frames (for tests of malformed or badly signed messages). */
  sendFrames(channel: RequestChannel, frames: Buffer[]): Promise<void> {
    return this.sockets[channel].send(frames);
  }

  /** Sends a message and resolves with its reply (timeout: undefined or Infinity waits without limit). */
  request(channel: RequestChannel, msgOrType: JupyterMessage | string, content: Record<string, unknown> = {}, timeoutMs: number | undefined = 30000): Promise<JupyterMessage> {
    const msg = typeof msgOrType === "string" ? this.message(msgOrType, content) : msgOrType;
    const reply = this.replyTo(msg, timeoutMs);
    this.sendMessage(channel, msg);
    return reply;
  }

  /** Resolves with the reply to an already built (and maybe not yet sent) message. */
  replyTo(msg: JupyterMessage, timeoutMs: number | undefined = 30000): Promise<JupyterMessage> {
    const id = msg.header.msg_id;
    if (this.deadReason) return Promise.reject(new KernelDiedError(this.deadReason));
    const reply = new Promise<JupyterMessage>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    const what = `the reply to ${msg.header.msg_type}`;
    return withTimeout(reply, timeoutMs, what).finally(() => this.pending.delete(id));
  }

  /** iopub messages whose parent is `msgId`, in order (needs keepIopub). */
  iopubFor(msgId: string): JupyterMessage[] {
    return this.iopub.filter((m) => m.parent_header.msg_id === msgId);
  }

  /** Waits until a matching iopub message has arrived, and returns it (needs keepIopub). */
  async waitForIopub(predicate: (m: JupyterMessage) => boolean, timeoutMs: number | undefined = 30000, what = "an iopub message"): Promise<JupyterMessage> {
    const search = async (): Promise<JupyterMessage> => {
      for (;;) {
        const found = this.iopub.find(predicate);
        if (found) return found;
        await new Promise<void>((resolve) => this.iopubWaiters.push(resolve));
      }
    };
    return this.unlessDead(withTimeout(search(), timeoutMs, what));
  }

  /** Waits for the idle status of a request; returns its iopub messages, busy to idle (needs keepIopub). */
  async idleOf(msgId: string, timeoutMs: number | undefined = 30000): Promise<JupyterMessage[]> {
    await this.waitForIopub((m) => m.parent_header.msg_id === msgId && isIdle(m), timeoutMs, "the idle status");
    return this.iopubFor(msgId);
  }

  private executeRequest(code: string, options: Omit<ExecuteOptions, "timeoutMs">): JupyterMessage {
    return this.message("execute_request", {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: true,
      stop_on_error: true,
      ...options,
    });
  }

  /**
   * Runs code, handing every iopub message it causes to `onIopub` as it arrives (busy to idle
   * inclusive). Resolves once the reply and the idle status are in; if idle does not follow
   * the reply within `idleGraceMs`, resolves anyway with sawIdle false. Rejects with
   * TimeoutError when the reply is late, and KernelDiedError when the kernel exits.
   */
  async executeStreaming(code: string, onIopub: (m: JupyterMessage) => void, options: StreamOptions = {}): Promise<StreamedExecution> {
    const { timeoutMs, idleGraceMs = 30000, ...content } = options;
    const request = this.executeRequest(code, content);
    const timing: ExecutionTiming = {};
    let markIdle!: () => void;
    const idle = new Promise<void>((resolve) => (markIdle = resolve));
    const stop = this.onIopub(request.header.msg_id, (m) => {
      const type = m.header.msg_type;
      if (type === "status" && m.content.execution_state === "busy") timing["iopub.status.busy"] = m.header.date;
      else if (type === "execute_input") timing["iopub.execute_input"] = m.header.date;
      else if (isIdle(m)) timing["iopub.status.idle"] = m.header.date;
      onIopub(m);
      if (isIdle(m)) markIdle();
    });
    try {
      // No limit given means none: replyTo would otherwise apply its own 30 s default.
      const replyPromise = this.replyTo(request, timeoutMs ?? Infinity);
      this.sendMessage("shell", request);
      const reply = await replyPromise;
      timing["shell.execute_reply"] = reply.header.date;
      const sawIdle = await this.unlessDead(settlesWithin(idle, idleGraceMs));
      return { request, reply, timing, sawIdle };
    } finally {
      stop();
    }
  }

  /** Sends execute_request and waits for both its reply and its idle status; hands over its iopub. */
  async execute(code: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    const { timeoutMs = 30000, ...content } = options;
    const iopub: JupyterMessage[] = [];
    // A lost idle is an error here (callers read the whole bracket), not a shrug.
    const { request, reply, sawIdle } = await this.executeStreaming(code, (m) => iopub.push(m), { ...content, timeoutMs, idleGraceMs: timeoutMs });
    if (!sawIdle) throw new TimeoutError("the idle status", timeoutMs);
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
   * Waits until the kernel answers kernel_info and its iopub reaches us, and returns the reply.
   * A SUB socket only gets messages once its subscription has propagated, so probe until a
   * status arrives (as jupyter_client does). Rejects at once if the kernel process dies.
   */
  async waitForReady(timeoutMs = 30000): Promise<JupyterMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new TimeoutError("the kernel to become ready", timeoutMs);
      const request = this.message("kernel_info_request", {});
      let sawIopub!: () => void;
      const iopubArrived = new Promise<void>((resolve) => (sawIopub = resolve));
      const stop = this.onIopub(request.header.msg_id, () => sawIopub());
      try {
        const reply = await this.request("shell", request, {}, Math.min(left, 2000));
        if (await this.unlessDead(settlesWithin(iopubArrived, Math.min(Math.max(deadline - Date.now(), 1), 200)))) return reply;
      } catch (err) {
        if (!(err instanceof TimeoutError)) throw err;
      } finally {
        stop();
      }
    }
  }

  close(): void {
    if (this.closed) return;
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
  /** Called with everything the kernel writes to stdout/stderr (it is also kept, capped, in `log`). */
  onOutput?: (text: string) => void;
  /** The kernelspec's interrupt_mode: "signal" sends SIGINT, "message" (default) interrupt_request. */
  interruptMode?: "signal" | "message";
  /** Keep every iopub message on the client (default true; see JupyterClientOptions). */
  keepIopub?: boolean;
  /** The HMAC key for the connection file (default: 16 random bytes; "" turns signing off). */
  key?: string;
}

/** How much of the kernel's own output `log` keeps (the end of it). */
const LOG_LIMIT = 100_000;

/** A kernel child process plus a connected client. */
export class KernelProcess {
  /** What the kernel printed (stdout and stderr; its last LOG_LIMIT characters), for error messages. */
  log = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private shuttingDown: Promise<void> | undefined;

  private constructor(
    readonly child: ChildProcess,
    readonly client: JupyterClient,
    readonly connectionFile: string,
    private readonly tempDir: string,
    private readonly options: KernelProcessOptions,
  ) {
    const collect = (text: string): void => {
      this.log = (this.log + text).slice(-LOG_LIMIT);
      options.onOutput?.(text);
    };
    child.stdout?.on("data", (chunk: Buffer) => collect(chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => collect(chunk.toString("utf8")));
    const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
    child.once("error", (err) => {
      collect(`cannot start ${options.argv[0]}: ${err.message}\n`);
      client.fail(this.deathReason(null, null));
    });
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    void this.exited.then(async ({ code, signal }) => {
      // Let the pipes drain (briefly: a grandchild may hold them) so the reason quotes the last words.
      await settlesWithin(closed, 500);
      client.fail(this.shuttingDown ? "the kernel was shut down" : this.deathReason(code, signal));
    });
  }

  private deathReason(code: number | null, signal: NodeJS.Signals | null): string {
    const what = signal ? `the kernel process exited (signal ${signal})` : code !== null ? `the kernel process exited (code ${code})` : "the kernel process could not be started";
    const tail = this.log.slice(-2000).trim();
    return what + (tail ? `; its last output:\n${tail.split("\n").map((l) => `    ${l}`).join("\n")}` : "");
  }

  /** Writes a connection file, spawns the kernel and connects (does not wait for readiness). */
  static async start(options: KernelProcessOptions): Promise<KernelProcess> {
    const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-kernel-"));
    const info = await newConnectionInfo({ transport: options.transport, dir: tempDir, key: options.key });
    const connectionFile = path.join(tempDir, "kernel.json");
    fs.writeFileSync(connectionFile, JSON.stringify(info), { mode: 0o600 });
    const [command, ...args] = options.argv.map((a) => a.split("{connection_file}").join(connectionFile));
    // JPY_PARENT_PID, as jupyter_client sets it: the kernel exits when this process is gone.
    // The directory is this kernel's alone, so the kernel removes it (and the key) if it outlives us.
    const env = { ...(options.env ?? process.env), JPY_PARENT_PID: String(process.pid), [OWNED_DIR_ENV]: tempDir };
    const child = spawn(command, args, { env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const client = new JupyterClient(info, { keepIopub: options.keepIopub });
    return new KernelProcess(child, client, connectionFile, tempDir, options);
  }

  /**
   * Starts the kernel and waits until it is ready; returns it with its kernel_info_reply. On
   * failure the process is ended and the error says why (quoting the kernel's last output).
   */
  static async launch(options: KernelProcessOptions, readyTimeoutMs = 60000): Promise<{ kernel: KernelProcess; info: JupyterMessage }> {
    const kernel = await KernelProcess.start(options);
    try {
      return { kernel, info: await kernel.client.waitForReady(readyTimeoutMs) };
    } catch (err) {
      await kernel.shutdown(1000);
      if (err instanceof TimeoutError) {
        const tail = kernel.log.slice(-2000).trim();
        throw new TimeoutError(`the kernel to become ready${tail ? `; its last output:\n${tail}` : ""}`, readyTimeoutMs);
      }
      throw err;
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined;
  }

  /**
   * Interrupts the running cell the way the kernelspec says: SIGINT, or interrupt_request on
   * control (falling back to SIGINT when the kernel does not answer within `timeoutMs`).
   */
  async interrupt(timeoutMs = 3000): Promise<void> {
    if (!this.running) return;
    if (this.options.interruptMode !== "signal") {
      try {
        await this.client.request("control", "interrupt_request", {}, timeoutMs);
        return;
      } catch {
        // no answer: signal it
      }
    }
    if (this.running) this.child.kill("SIGINT");
  }

  /**
   * Asks the kernel to shut down; if it has not exited within `timeoutMs`, SIGTERM, then
   * SIGKILL after 2 s more. Never leaves the process behind. Safe to call more than once.
   */
  shutdown(timeoutMs = 5000): Promise<void> {
    this.shuttingDown ??= this.stop(timeoutMs);
    return this.shuttingDown;
  }

  private async stop(timeoutMs: number): Promise<void> {
    if (this.running) {
      this.client.sendMessage("control", this.client.message("shutdown_request", { restart: false }));
      if (!(await settlesWithin(this.exited, timeoutMs))) {
        this.child.kill("SIGTERM");
        if (!(await settlesWithin(this.exited, 2000))) this.child.kill("SIGKILL");
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
