/**
 * The kernel's protocol server on the main thread: shell and stdin sockets, the request
 * queue, busy/idle, execution counting, stop_on_error aborts, the CellHost given to the
 * engine, interrupt and shutdown. Heartbeat, control and iopub run on the control thread
 * (control-thread.ts), so they keep answering while a cell blocks this thread.
 */
import { randomUUID } from "crypto";
import type { Worker } from "worker_threads";
import * as zmq from "zeromq";
import { setCommHost } from "../lib/runtime";
import type { CellHost, Engine, ExecuteOutcome, LanguageInfo, MimeBundle } from "./contract";
import type { ControlThreadData, FromControlThread, ToControlThread } from "./control-thread";
import { takeControlThread } from "./control-thread-launch";
import { terminateChildren } from "./children";
import { COMM_MESSAGE_TYPES, CommRegistry } from "./comms";
import { OutputThrottle, RATE_LIMITED_TYPES } from "./output-rate";
import { KernelSession, HistoryQuery } from "./session";
import { StreamBuffer } from "./stream-buffer";
import { createInterruptGate, installInterruptGate } from "./interrupt-gate";
import { bindOrExplain, ConnectionInfo, decode, encode, JupyterMessage, makeMessage, PROTOCOL_VERSION, ReplayGuard, Signer, WireError } from "./wire";

export interface KernelServerOptions {
  connection: ConnectionInfo;
  /** The engine may still be loading; requests that need it wait, kernel_info does not. */
  engine: Promise<Engine>;
  languageInfo: LanguageInfo;
  implementationVersion: string;
  banner?: string;
  /** Grace period before a stuck process is killed after shutdown_request (ms). */
  shutdownGraceMs?: number;
  /** The connection file's directory, when the launcher made it for this kernel (owned-files.ts). */
  ownedDir?: string;
}

/** How the kernel ended: the frontend restarts the process when `restart` is true. */
export interface KernelExit {
  restart: boolean;
  reason: string;
}

type Socket = "shell" | "control";

interface QueuedRequest {
  msg: JupyterMessage;
  socket: Socket;
  /** Set when an earlier cell failed with stop_on_error while this one waited. */
  aborted: boolean;
  /** Comm messages handled while this request ran; each one's idle follows this request's end. */
  commsMeanwhile: JupyterMessage[];
}

function log(text: string): void {
  process.stderr.write(`[seqlab kernel] ${text}\n`);
}

/** The error fields of a reply for a request the kernel could not serve. */
function errorContent(err: unknown): { status: "error"; ename: string; evalue: string; traceback: string[] } {
  const e = err instanceof Error ? err : new Error(String(err));
  return { status: "error", ename: e.name, evalue: e.message, traceback: (e.stack ?? `${e.name}: ${e.message}`).split("\n") };
}

/**
 * code and cursor_pos of a complete/inspect request. The cursor counts Unicode code points
 * and defaults to the end of the code (the protocol lets clients omit it).
 */
function codeAndCursor(content: Record<string, unknown>): [string, number] {
  if (content.code !== undefined && typeof content.code !== "string") throw new TypeError("code must be a string");
  const code = (content.code as string | undefined) ?? "";
  const length = Array.from(code).length;
  const raw = content.cursor_pos;
  if (raw === undefined || raw === null) return [code, length];
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < 0 || raw > length) {
    throw new RangeError(`cursor_pos must be a whole number from 0 to ${length} (code points in code), got ${JSON.stringify(raw)}`);
  }
  return [code, raw];
}

/** Copies frames into exact-size arrays so postMessage does not clone Buffer pool slabs. */
const forTransfer = (frames: Buffer[]): Uint8Array[] => frames.map((f) => new Uint8Array(f));

export class KernelServer {
  readonly session = new KernelSession();
  /** Header session id for messages this kernel originates. */
  readonly sessionId = randomUUID();
  private readonly signer: Signer;
  private readonly replays = new ReplayGuard();
  private readonly output = new OutputThrottle((msgType, content, parent, extra) => this.send(msgType, content, parent, extra));
  /** The request being served now, if any: comm messages that arrive meanwhile are handled at once. */
  private serving: QueuedRequest | null = null;
  /** The latest execute_request: the parent of comm messages kernel code sends (as ipykernel's get_parent). */
  private lastExecute: JupyterMessage | undefined;
  readonly comms: CommRegistry;
  private readonly shell = new zmq.Router({ linger: 1000 });
  private readonly stdin = new zmq.Router({ linger: 1000 });
  private worker!: Worker;
  private readonly interruptGate = createInterruptGate();
  private readonly queue: QueuedRequest[] = [];
  private wakeQueue: (() => void) | null = null;
  private engine: Engine | null = null;
  private readonly kernelInfo: Record<string, unknown>;
  /** The input_request waiting for its reply: its own msg_id and the execute_request it serves. */
  private pendingInput: { parentId: string; executeId: string; resolve: (v: string) => void; reject: (e: Error) => void } | null = null;
  private stopping = false;
  private resolveExit!: (exit: KernelExit) => void;
  /** Resolves when the kernel has shut down and closed its sockets. */
  readonly exited: Promise<KernelExit> = new Promise((resolve) => (this.resolveExit = resolve));

  private constructor(private readonly options: KernelServerOptions) {
    this.signer = new Signer(options.connection.key, options.connection.signature_scheme);
    if (!this.signer.enabled) {
      log("warning: the connection file's key is empty, so messages are not authenticated: anyone who can reach the kernel's ports can run code as you");
    }
    this.comms = new CommRegistry({
      publish: (msgType, content, parent, extra) => this.publish(msgType, content, parent, extra),
      currentRequest: () => this.lastExecute,
      log,
    });
    this.kernelInfo = {
      status: "ok",
      protocol_version: PROTOCOL_VERSION,
      implementation: "seqlab",
      implementation_version: options.implementationVersion,
      language_info: options.languageInfo,
      banner: options.banner ?? `seqlab ${options.implementationVersion}: TypeScript with sequence-model magics (try %lsmagic)`,
      help_links: [
        { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/" },
        { text: "TensorFlow.js API", url: "https://js.tensorflow.org/api/latest/" },
      ],
      debugger: false,
      // Protocol 5.5's optional features ("debugger", "kernel subshells"): none is offered.
      // usage_request is answered (ipykernel 7's shape) but has no feature name to claim.
      supported_features: [],
    };
    options.engine.then(
      (engine) => (this.engine = engine),
      (err: Error) => log(`the execution engine failed to load: ${err.stack ?? err.message}`),
    );
  }

  /** Binds all five sockets and starts serving; resolves once the kernel is reachable. */
  static async start(options: KernelServerOptions): Promise<KernelServer> {
    const server = new KernelServer(options);
    await server.bind();
    return server;
  }

  private async bind(): Promise<void> {
    const { connection } = this.options;
    const data: ControlThreadData = {
      connection,
      session: this.sessionId,
      kernelInfo: this.kernelInfo,
      shutdownGraceMs: this.options.shutdownGraceMs ?? 4000,
      ownedDir: this.options.ownedDir,
      interruptGate: this.interruptGate,
    };
    this.worker = takeControlThread();
    this.post({ type: "start", data });
    const workerReady = new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromControlThread): void => {
        if (m.type === "ready") resolve();
        else if (m.type === "failed") reject(new Error(`control thread: ${m.message}`));
      };
      this.worker.on("message", onMessage);
      this.worker.once("error", reject);
      this.worker.once("exit", (code) => reject(new Error(`control thread: ended (exit code ${code}) before it was ready`)));
    });
    this.worker.on("message", (m: FromControlThread) => this.onWorkerMessage(m));
    this.worker.on("error", (err) => log(`control thread crashed: ${err.stack ?? err.message}`));
    // Every part settles before a failure is reported: the process exits then, and must not
    // while the control thread is still starting (control-thread-launch.ts).
    const bound = await Promise.allSettled([bindOrExplain(this.shell, connection, "shell"), bindOrExplain(this.stdin, connection, "stdin"), workerReady]);
    const failed = bound.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed) {
      await this.endControlThread(bound[2].status === "fulfilled");
      throw failed.reason;
    }
    void this.receiveShell();
    void this.processQueue();
    // The engine owns SIGINT semantics (it interrupts the running cell); this listener also
    // keeps Node from exiting on SIGINT and cancels a pending input() prompt.
    process.on("SIGINT", this.onSigint);
    process.on("SIGTERM", this.onSigterm);
    installInterruptGate(this.interruptGate);
    setCommHost(this.comms);
  }

  /** True while a cell runs (the engine's execute). */
  private executing = false;
  /** When a SIGINT (or an interrupt_request) came while no cell ran, if one did since the last cell began. */
  private sigintWhileIdleAt: number | undefined;

  private readonly onSigint = (): void => {
    this.pendingInput?.reject(new Error("input was interrupted"));
    this.pendingInput = null;
    // No cell has begun: the interrupt is for a cell already sent but not yet read (a busy
    // kernel, or one that has not turned to the socket yet). execute() applies it by date.
    if (!this.executing) this.sigintWhileIdleAt = Date.now();
  };

  /** An interrupt that came as a message (interrupt-gate.ts): what a SIGINT would do. */
  private interruptRunning(): void {
    this.onSigint();
    this.engine?.interrupt();
  }

  private readonly onSigterm = (): void => {
    void this.shutdown(false, "SIGTERM");
  };

  private onWorkerMessage(m: FromControlThread): void {
    if (m.type === "shutdown") {
      this.post({ type: "shutdown-ack" });
      void this.shutdown(m.restart, m.reason);
    } else if (m.type === "interrupt") {
      this.interruptRunning();
    } else if (m.type === "control-request") {
      const frames = m.frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength));
      try {
        this.enqueue(decode(frames, this.signer, this.replays), "control");
      } catch (err) {
        log(`dropped a control message: ${(err as Error).message}`);
      }
    }
  }

  private post(m: ToControlThread): void {
    this.worker.postMessage(m);
  }

  // ---- sending -------------------------------------------------------------------------

  /** Sends on iopub; output past the rate limit is dropped, counted and reported (output-rate.ts). */
  publish(msgType: string, content: unknown, parent: JupyterMessage | undefined, extra: { metadata?: Record<string, unknown>; buffers?: Buffer[] } = {}): void {
    if (parent && RATE_LIMITED_TYPES.has(msgType)) this.output.publish(msgType, content, parent, extra);
    else this.send(msgType, content, parent, extra);
  }

  /** Encodes and hands a message to the iopub socket; returns its size in bytes. */
  private send(msgType: string, content: unknown, parent: JupyterMessage | undefined, extra: { metadata?: Record<string, unknown>; buffers?: Buffer[] }): number {
    const msg = makeMessage(msgType, content, { session: this.sessionId, parent, identities: [Buffer.from(msgType)], ...extra });
    const frames = encode(msg, this.signer);
    this.post({ type: "iopub", frames: forTransfer(frames) });
    return frames.reduce((sum, f) => sum + f.length, 0);
  }

  private shellSends: Promise<void> = Promise.resolve();

  private reply(request: QueuedRequest, msgType: string, content: unknown): void {
    const frames = encode(makeMessage(msgType, content, { session: this.sessionId, parent: request.msg }), this.signer);
    if (request.socket === "control") {
      this.post({ type: "control-reply", frames: forTransfer(frames) });
      return;
    }
    this.shellSends = this.shellSends
      .then(() => this.shell.send(frames))
      .catch((err) => log(`could not send ${msgType}: ${(err as Error).message}`));
  }

  // ---- receiving -----------------------------------------------------------------------

  private async receiveShell(): Promise<void> {
    try {
      for await (const frames of this.shell) {
        try {
          this.enqueue(decode(frames, this.signer, this.replays), "shell");
        } catch (err) {
          // Never act on a message we cannot trust or read; the client will time out.
          log(`dropped a shell message: ${err instanceof WireError ? err.message : String(err)}`);
        }
      }
    } catch (err) {
      if (!this.stopping) log(`shell socket stopped: ${(err as Error).message}`);
    }
  }

  private enqueue(msg: JupyterMessage, socket: Socket): void {
    // Comm traffic reaches kernel code while a cell awaits (a training loop yielding between
    // steps must see a widget's messages). It gets its own busy and idle, as every request
    // does (ipywidgets' frontend sends a model's next update only after the idle of the last
    // one); the idle waits for the running request's end, since the kernel is busy until then.
    if (socket === "shell" && this.serving && COMM_MESSAGE_TYPES.has(msg.header.msg_type)) {
      this.publish("status", { execution_state: "busy" }, msg);
      this.comms.handle(msg);
      this.serving.commsMeanwhile.push(msg);
      return;
    }
    this.queue.push({ msg, socket, aborted: false, commsMeanwhile: [] });
    this.wakeQueue?.();
  }

  /** Serves requests one at a time, in arrival order (the protocol's shell semantics). */
  private async processQueue(): Promise<void> {
    while (!this.stopping) {
      const next = this.queue.shift();
      if (!next) {
        await new Promise<void>((resolve) => (this.wakeQueue = resolve));
        this.wakeQueue = null;
        continue;
      }
      this.publish("status", { execution_state: "busy" }, next.msg);
      this.serving = next;
      try {
        await this.dispatch(next);
      } catch (err) {
        log(`${next.msg.header.msg_type} failed: ${(err as Error).stack ?? err}`);
      }
      this.serving = null;
      for (const comm of next.commsMeanwhile) this.publish("status", { execution_state: "idle" }, comm);
      this.publish("status", { execution_state: "idle" }, next.msg);
    }
  }

  private async dispatch(request: QueuedRequest): Promise<void> {
    const { msg } = request;
    const content = msg.content;
    switch (msg.header.msg_type) {
      case "kernel_info_request":
        return this.reply(request, "kernel_info_reply", this.kernelInfo);
      case "execute_request":
        return this.execute(request);
      case "complete_request":
        return this.viaEngine(request, "complete_reply", async (engine) => ({
          status: "ok",
          ...(await engine.complete(...codeAndCursor(content))),
        }));
      case "inspect_request":
        return this.viaEngine(request, "inspect_reply", async (engine) => ({
          status: "ok",
          ...(await engine.inspect(...codeAndCursor(content), content.detail_level === 1 ? 1 : 0)),
        }));
      case "is_complete_request":
        return this.viaEngine(request, "is_complete_reply", (engine) => engine.isComplete(String(content.code ?? "")));
      case "history_request":
        try {
          return this.reply(request, "history_reply", { status: "ok", history: this.session.query(content as HistoryQuery) });
        } catch (err) {
          return this.reply(request, "history_reply", { ...errorContent(err), history: [] });
        }
      case "comm_info_request":
        return this.reply(request, "comm_info_reply", { status: "ok", comms: this.comms.info(content.target_name) });
      case "comm_open":
      case "comm_msg":
      case "comm_close":
        return this.comms.handle(msg);
      case "shutdown_request": {
        const restart = content.restart === true;
        this.reply(request, "shutdown_reply", { status: "ok", restart });
        void this.shutdown(restart, `shutdown_request on ${request.socket}`);
        return;
      }
      case "interrupt_request":
        // Here (on shell) the main thread is between cells or awaiting: no signal needed.
        this.reply(request, "interrupt_reply", { status: "ok" });
        this.interruptRunning();
        return;
      default:
        log(`ignored unknown request type "${msg.header.msg_type}" on ${request.socket}`);
    }
  }

  private async viaEngine(request: QueuedRequest, replyType: string, run: (engine: Engine) => Promise<object>): Promise<void> {
    try {
      this.reply(request, replyType, await run(await this.options.engine));
    } catch (err) {
      this.reply(request, replyType, errorContent(err));
    }
  }

  // ---- execution -----------------------------------------------------------------------

  private async execute(request: QueuedRequest): Promise<void> {
    const { msg } = request;
    const c = msg.content;
    const code = typeof c.code === "string" ? c.code : "";
    const silent = c.silent === true;
    const storeHistory = !silent && c.store_history !== false;
    const allowStdin = c.allow_stdin !== false;
    const stopOnError = c.stop_on_error !== false;

    if (request.aborted) {
      this.reply(request, "execute_reply", { status: "aborted", execution_count: this.session.executionCount });
      return;
    }
    // An interrupt that came after this request was sent but before its cell began stops it.
    const sentAt = Date.parse(String(msg.header.date ?? ""));
    const interruptedEarly = this.sigintWhileIdleAt !== undefined && sentAt <= this.sigintWhileIdleAt;
    this.sigintWhileIdleAt = undefined;
    this.lastExecute = msg;
    const count = this.session.beginExecution(storeHistory);
    if (storeHistory) this.session.record(count, code);
    if (!silent) this.publish("execute_input", { code, execution_count: count }, msg);

    const host = new RequestCellHost(this, msg, allowStdin);
    let outcome: ExecuteOutcome;
    this.executing = true;
    try {
      const engine = await this.options.engine;
      outcome = interruptedEarly
        ? { status: "error", ename: "KeyboardInterrupt", evalue: "", traceback: ["KeyboardInterrupt: interrupted before the cell began; variables are kept"] }
        : await engine.execute(code, host, { silent, storeHistory, executionCount: count });
    } catch (err) {
      outcome = errorContent(err);
    } finally {
      this.executing = false;
    }

    host.flush();
    this.output.reportDropped(msg);
    // A prompt still open when its cell has ended (interrupted mid-input) is withdrawn, so
    // the next cell can ask again.
    if (this.pendingInput?.executeId === msg.header.msg_id) {
      this.pendingInput.reject(new Error("the cell ended before its input was answered"));
      this.pendingInput = null;
    }
    if (outcome.status === "ok") {
      if (outcome.result && !silent) {
        this.publish("execute_result", { execution_count: count, data: outcome.result.data, metadata: outcome.result.metadata }, msg);
        const text = outcome.result.data["text/plain"];
        if (storeHistory && typeof text === "string") this.session.recordOutput(count, text);
      }
      const userExpressions = await this.evaluateUserExpressions(c.user_expressions);
      this.reply(request, "execute_reply", { status: "ok", execution_count: count, payload: host.payloads, user_expressions: userExpressions });
      return;
    }

    const { ename, evalue, traceback } = outcome;
    this.publish("error", { ename, evalue, traceback }, msg);
    // Mark before replying: a request the client sends after seeing this reply was not
    // queued at the time of the error and must run.
    if (stopOnError) await this.abortQueuedExecutions();
    this.reply(request, "execute_reply", { status: "error", execution_count: count, ename, evalue, traceback, payload: host.payloads, user_expressions: {} });
  }

  /**
   * After a failed cell, execute_requests already sent are answered `aborted` (as ipykernel
   * does) so a "run all" stops at the first error. Give the socket a moment to deliver what
   * arrived while the cell blocked the thread; other request types are left to run.
   */
  private async abortQueuedExecutions(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 2));
    for (const queued of this.queue) {
      if (queued.msg.header.msg_type === "execute_request") queued.aborted = true;
    }
  }

  /** user_expressions: each evaluated silently after the cell, as the protocol asks. */
  private async evaluateUserExpressions(value: unknown): Promise<Record<string, unknown>> {
    const result: Record<string, unknown> = {};
    if (!value || typeof value !== "object") return result;
    const engine = await this.options.engine;
    for (const [name, expr] of Object.entries(value as Record<string, unknown>)) {
      const quiet = new QuietCellHost();
      try {
        // Not `silent`: engines drop a silent run's value, and the value is what is asked for.
        // The quiet host discards any output; storeHistory false keeps history untouched.
        const outcome = await engine.execute(String(expr), quiet, { silent: false, storeHistory: false, executionCount: this.session.executionCount });
        result[name] =
          outcome.status === "ok"
            ? { status: "ok", data: outcome.result?.data ?? { "text/plain": "undefined" }, metadata: outcome.result?.metadata ?? {} }
            : outcome;
      } catch (err) {
        result[name] = errorContent(err);
      }
    }
    return result;
  }

  // ---- stdin ---------------------------------------------------------------------------

  /** Sends input_request on stdin to the client that sent `parent` and waits for its input_reply. */
  async requestInput(parent: JupyterMessage, prompt: string, password: boolean): Promise<string> {
    if (this.pendingInput) throw new Error("another input() is already waiting for the frontend; await it before asking again");
    const executeId = parent.header.msg_id;
    const request = makeMessage("input_request", { prompt, password }, { session: this.sessionId, parent });
    const answer = new Promise<string>((resolve, reject) => (this.pendingInput = { parentId: request.header.msg_id, executeId, resolve, reject }));
    // Send only once the cell's synchronous part has returned: a frontend that interrupts
    // right after the prompt appears must not hit the engine's breakOnSigint window, where
    // a SIGINT that lands as the script ends can be lost.
    await new Promise((resolve) => setImmediate(resolve));
    await this.stdin.send(encode(request, this.signer));
    void this.receiveStdin();
    return answer;
  }

  private receivingStdin = false;

  private async receiveStdin(): Promise<void> {
    if (this.receivingStdin) return;
    this.receivingStdin = true;
    try {
      while (this.pendingInput && !this.stopping) {
        const frames = await this.stdin.receive();
        let msg: JupyterMessage;
        try {
          msg = decode(frames, this.signer);
        } catch (err) {
          log(`dropped a stdin message: ${(err as Error).message}`);
          continue;
        }
        if (msg.header.msg_type !== "input_reply" || !this.pendingInput) {
          log(`ignored unexpected stdin message "${msg.header.msg_type}"`);
          continue;
        }
        // A reply to an earlier, interrupted prompt must not answer the current one.
        if (msg.parent_header.msg_id !== undefined && msg.parent_header.msg_id !== this.pendingInput.parentId) {
          log("ignored an input_reply to an earlier prompt");
          continue;
        }
        const pending = this.pendingInput;
        this.pendingInput = null;
        pending.resolve(String(msg.content.value ?? ""));
      }
    } catch (err) {
      if (!this.stopping) log(`stdin socket stopped: ${(err as Error).message}`);
    } finally {
      this.receivingStdin = false;
    }
  }

  // ---- shutdown ------------------------------------------------------------------------

  /** Disposes the engine, flushes and closes every socket, then resolves `exited`. */
  async shutdown(restart: boolean, reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wakeQueue?.();
    // From here a SIGINT (the control thread interrupts a main thread slow to take the
    // shutdown) meets the process's own no-op listener (main.ts), not a cell's interrupt.
    process.off("SIGINT", this.onSigint);
    process.off("SIGTERM", this.onSigterm);
    setCommHost(undefined);
    this.pendingInput?.reject(new Error("the kernel is shutting down"));
    this.pendingInput = null;
    if (this.engine) {
      await Promise.race([this.engine.dispose().catch((err: Error) => log(`engine dispose failed: ${err.message}`)), timeout(1500)]);
    }
    const ended = await terminateChildren(1000);
    if (ended.length) log(`ended ${ended.length} child process(es) started by cells: ${ended.join(", ")}`);
    await Promise.race([this.shellSends, timeout(500)]);
    await this.endControlThread(true);
    this.shell.close();
    this.stdin.close();
    this.resolveExit({ restart, reason });
  }

  /**
   * Closes the control thread's sockets (when it has bound them), then ends the thread. The
   * process must not exit before: ZeroMQ's addon aborts it when torn down with a thread that
   * holds open sockets.
   */
  private async endControlThread(bound: boolean): Promise<void> {
    if (bound) {
      const closed = new Promise<void>((resolve) => this.worker.on("message", (m: FromControlThread) => m.type === "closed" && resolve()));
      this.post({ type: "close" });
      await Promise.race([closed, timeout(1000)]);
    }
    await this.worker.terminate();
  }
}

/** Resolves after `ms`, without keeping the process alive. */
const timeout = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** The CellHost handed to the engine for one execute_request. */
class RequestCellHost implements CellHost {
  readonly payloads: Record<string, unknown>[] = [];
  private readonly streams: StreamBuffer;

  constructor(
    private readonly server: KernelServer,
    private readonly parent: JupyterMessage,
    private readonly allowStdin: boolean,
  ) {
    this.streams = new StreamBuffer((name, text) => this.server.publish("stream", { name, text }, this.parent));
  }

  stdout(text: string): void {
    this.streams.write("stdout", text);
  }

  stderr(text: string): void {
    this.streams.write("stderr", text);
  }

  /** Sends held stream text; called before any other output so that order is kept. */
  flush(): void {
    this.streams.flush();
  }

  display(data: MimeBundle, metadata: Record<string, unknown>, displayId?: string, update = false): void {
    if (update && !displayId) throw new Error("updating a display needs the display_id it was shown with");
    this.flush();
    const content = { data, metadata, transient: displayId ? { display_id: displayId } : {} };
    this.server.publish(update ? "update_display_data" : "display_data", content, this.parent);
  }

  clearOutput(wait: boolean): void {
    this.flush();
    this.server.publish("clear_output", { wait }, this.parent);
  }

  get interactive(): boolean {
    return this.allowStdin;
  }

  input(prompt: string, password: boolean): Promise<string> {
    if (!this.allowStdin) {
      return Promise.reject(
        new Error("this frontend does not accept input; input() and prompt() need a frontend that allows stdin (JupyterLab, Notebook, VS Code), not a headless run"),
      );
    }
    this.flush(); // the prompt's context must be on screen before the frontend asks
    return this.server.requestInput(this.parent, prompt, password);
  }

  payload(item: Record<string, unknown>): void {
    this.payloads.push(item);
  }
}

/** Discards output: used for user_expressions, which report only their value. */
class QuietCellHost implements CellHost {
  stdout(): void {}
  stderr(): void {}
  display(): void {}
  clearOutput(): void {}
  input(): Promise<string> {
    return Promise.reject(new Error("user_expressions cannot ask for input"));
  }
  payload(): void {}
}
