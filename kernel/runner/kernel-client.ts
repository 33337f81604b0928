/**
 * Starts a kernel process and talks to it over ZeroMQ, just enough for running notebooks:
 * execute with iopub messages streamed to a callback as they arrive, interrupt, crash
 * detection while a cell runs, and a clean shutdown that never leaves the process behind.
 * Framing and signing come from ../wire, connection files from ../jupyter-client. (That
 * module's JupyterClient is built for protocol tests: it keeps every iopub message and
 * hands them over only when a cell is done, which a long training cell outgrows.)
 */
import { spawn, type ChildProcess } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zmq from "zeromq";
import { newConnectionInfo } from "../jupyter-client";
import { decode, encode, endpoint, makeMessage, Signer, type ConnectionInfo, type JupyterMessage } from "../wire";
import type { IopubMessage } from "./outputs";

/** When the kernel said what, for a cell (ISO dates from the message headers, as nbclient records them). */
export interface ExecutionTiming {
  "iopub.status.busy"?: string;
  "iopub.execute_input"?: string;
  "shell.execute_reply"?: string;
  "iopub.status.idle"?: string;
}

export interface ExecuteReply {
  status: "ok" | "error" | "aborted";
  execution_count: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  timing: ExecutionTiming;
}

export interface KernelLaunch {
  /** argv of the kernel; the string "{connection_file}" is replaced with the file's path. */
  argv: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called with the kernel's own stderr/stdout (it logs there); default: discard. */
  onLog?: (text: string) => void;
}

export class KernelClient {
  private readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly shell = new zmq.Dealer({ linger: 0 });
  private readonly control = new zmq.Dealer({ linger: 0 });
  private readonly iopub = new zmq.Subscriber({ linger: 0 });
  private readonly pending = new Map<string, (msg: JupyterMessage) => void>();
  private readonly iopubHandlers = new Map<string, (msg: JupyterMessage) => void>();
  private exited: Promise<void>;
  private closed = false;
  /** Set when the kernel process exits on its own (crash); requests then fail at once. */
  private exitReason: string | undefined;
  private readonly exitWaiters = new Set<(reason: string) => void>();
  /** The kernel_info_reply content (language_info, implementation, ...), once started. */
  kernelInfo: Record<string, unknown> = {};
  /** The end of what the kernel process wrote, quoted when it dies. */
  private logTail = "";

  private constructor(
    private readonly info: ConnectionInfo,
    private readonly child: ChildProcess,
    private readonly connectionFile: string,
  ) {
    this.signer = new Signer(info.key, info.signature_scheme);
    this.exited = new Promise((resolve) => {
      child.once("close", (code, signal) => {
        const tail = this.logTail.trim();
        this.exitReason = `the kernel process exited (${signal ? `signal ${signal}` : `code ${code}`})` +
          (tail ? `; its last output:\n${tail.split("\n").map((l) => `    ${l}`).join("\n")}` : "");
        for (const w of this.exitWaiters) w(this.exitReason);
        resolve();
      });
    });
    this.shell.connect(endpoint(info, "shell"));
    this.control.connect(endpoint(info, "control"));
    this.iopub.connect(endpoint(info, "iopub"));
    this.iopub.subscribe();
    void this.pump(this.shell, (m) => this.onReply(m));
    void this.pump(this.control, (m) => this.onReply(m));
    void this.pump(this.iopub, (m) => this.iopubHandlers.get(String(m.parent_header.msg_id))?.(m));
  }

  /** Spawn a kernel and wait until it answers kernel_info_request (and iopub is connected). */
  static async start(launch: KernelLaunch, startTimeoutMs = 60000): Promise<KernelClient> {
    const info = await newConnectionInfo();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-run-"));
    const file = path.join(dir, "kernel.json");
    fs.writeFileSync(file, JSON.stringify(info), { mode: 0o600 });
    const argv = launch.argv.map((a) => a.split("{connection_file}").join(file));
    const child = spawn(argv[0], argv.slice(1), { env: launch.env ?? process.env, cwd: launch.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const client = new KernelClient(info, child, file);
    const log = (text: string) => {
      client.logTail = (client.logTail + text).slice(-2000);
      launch.onLog?.(text);
    };
    child.stdout?.on("data", (d: Buffer) => log(d.toString()));
    child.stderr?.on("data", (d: Buffer) => log(d.toString()));
    child.once("error", (e) => log(`cannot start ${argv[0]}: ${e.message}\n`));
    try {
      await client.waitReady(startTimeoutMs);
    } catch (e) {
      await client.shutdown();
      throw e;
    }
    return client;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private async pump(socket: zmq.Dealer | zmq.Subscriber, handle: (m: JupyterMessage) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        let msg: JupyterMessage;
        try {
          msg = decode(frames as Buffer[], this.signer);
        } catch {
          continue; // a malformed or unsigned message is dropped, as Jupyter clients do
        }
        handle(msg);
      }
    } catch {
      // socket closed
    }
  }

  private onReply(msg: JupyterMessage): void {
    const id = String(msg.parent_header.msg_id);
    const resolve = this.pending.get(id);
    if (resolve) {
      this.pending.delete(id);
      resolve(msg);
    }
  }

  /** Send a request and wait for its reply; rejects if the kernel dies or time runs out. */
  private request(channel: "shell" | "control", msgType: string, content: Record<string, unknown>, timeoutMs?: number,
    onIopub?: (m: JupyterMessage) => void): { id: string; reply: Promise<JupyterMessage> } {
    const msg = makeMessage(msgType, content, { session: this.session });
    const id = msg.header.msg_id;
    if (onIopub) this.iopubHandlers.set(id, onIopub);
    const reply = new Promise<JupyterMessage>((resolve, reject) => {
      if (this.exitReason) return reject(new Error(this.exitReason));
      let timer: NodeJS.Timeout | undefined;
      const onExit = (reason: string) => finish(() => reject(new Error(reason)));
      const finish = (f: () => void) => {
        if (timer) clearTimeout(timer);
        this.exitWaiters.delete(onExit);
        this.pending.delete(id);
        f();
      };
      this.exitWaiters.add(onExit);
      this.pending.set(id, (m) => finish(() => resolve(m)));
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => finish(() => reject(new TimeoutError(`no ${msgType.replace("_request", "_reply")} within ${timeoutMs / 1000} s`))), timeoutMs);
      }
      const socket = channel === "shell" ? this.shell : this.control;
      socket.send(encode(msg, this.signer)).catch((e) => finish(() => reject(e)));
    });
    return { id, reply };
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Until our iopub subscription is live, the kernel's status messages are lost; keep
    // asking kernel_info until one of its iopub messages reaches us (as jupyter_client does).
    let sawIopub = false;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the kernel did not answer within ${timeoutMs / 1000} s`);
      const { id, reply } = this.request("shell", "kernel_info_request", {}, Math.min(left, 2000), () => { sawIopub = true; });
      try {
        const info = await reply;
        await new Promise((r) => setTimeout(r, 50));
        this.iopubHandlers.delete(id);
        if (sawIopub) {
          this.kernelInfo = info.content;
          return;
        }
      } catch (e) {
        this.iopubHandlers.delete(id);
        if (!(e instanceof TimeoutError)) throw e;
      }
    }
  }

  /**
   * Run code; every iopub message it causes goes to `onIopub` until the kernel is idle again.
   * Resolves with the execute_reply content once both the reply and the idle status came.
   */
  async execute(code: string, onIopub: (msg: IopubMessage) => void, options: { timeoutMs?: number; allowStdin?: boolean } = {}): Promise<ExecuteReply> {
    let idle!: () => void;
    const idleSeen = new Promise<void>((r) => (idle = r));
    const timing: ExecutionTiming = {};
    const { id, reply } = this.request(
      "shell",
      "execute_request",
      { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: options.allowStdin ?? false, stop_on_error: true },
      options.timeoutMs,
      (m) => {
        const type = m.header.msg_type;
        if (type === "status" && m.content.execution_state === "busy") timing["iopub.status.busy"] = m.header.date;
        else if (type === "execute_input") timing["iopub.execute_input"] = m.header.date;
        if (type === "status" && m.content.execution_state === "idle") {
          timing["iopub.status.idle"] = m.header.date;
          idle();
        } else {
          onIopub({ msg_type: type, content: m.content });
        }
      },
    );
    try {
      const msg = await reply;
      // iopub may lag behind the shell reply; wait (briefly) for the idle that closes the cell.
      await settlesWithin(idleSeen, 5000);
      timing["shell.execute_reply"] = msg.header.date;
      return { ...(msg.content as unknown as Omit<ExecuteReply, "timing">), timing };
    } finally {
      this.iopubHandlers.delete(id);
    }
  }

  /** interrupt_request on the control channel, falling back to SIGINT. */
  async interrupt(): Promise<void> {
    try {
      await this.request("control", "interrupt_request", {}, 3000).reply;
    } catch {
      this.child.kill("SIGINT");
    }
  }

  /** Ask the kernel to shut down, then make sure the process is gone; closes the sockets. */
  async shutdown(graceMs = 5000): Promise<void> {
    if (this.closed) return this.exited;
    this.closed = true;
    if (!this.exitReason) {
      try {
        await this.request("control", "shutdown_request", { restart: false }, graceMs).reply;
      } catch {
        // no answer: the signals below take over
      }
      const gone = await settlesWithin(this.exited, graceMs);
      if (!gone) {
        this.child.kill("SIGTERM");
        const termed = await settlesWithin(this.exited, 2000);
        if (!termed) this.child.kill("SIGKILL");
        await this.exited;
      }
    }
    for (const s of [this.shell, this.control, this.iopub]) s.close();
    fs.rmSync(path.dirname(this.connectionFile), { recursive: true, force: true });
  }
}

/** True when `promise` settles within `ms`; the timer never outlives the wait (it would keep Node alive). */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([promise.then(() => true, () => true), late]).finally(() => clearTimeout(timer));
}

export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TimeoutError";
  }
}
