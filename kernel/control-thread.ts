/**
 * The kernel's second thread: heartbeat (REP), control (ROUTER) and iopub (PUB).
 *
 * Why a worker: a cell may run a long synchronous loop that blocks the main thread. The
 * frontend must still see the heartbeat, get kernel_info/interrupt/shutdown replies, and
 * see busy/idle for those control requests. All three sockets therefore live here.
 *
 * iopub ordering: a PUB socket cannot be shared between threads, so this thread owns it and
 * the main thread posts its already-signed iopub frames over the worker's MessagePort.
 * A MessagePort delivers in order, so each thread's messages keep their own order; this
 * thread interleaves its control busy/idle between them, which is the order the protocol
 * requires (messages only need to be ordered relative to their own request).
 */
import { parentPort } from "worker_threads";
import { claimSignal } from "./interrupt-gate";
import * as zmq from "zeromq";
import { removeOwnedDir } from "./owned-files";
import { watchParent } from "./parent-watch";
import { UsageSampler } from "./usage";
import { bindOrExplain, ConnectionInfo, decode, encode, JupyterMessage, makeMessage, ReplayGuard, Signer, WireError } from "./wire";

/** What the main thread hands the worker (its first message) once it has it. */
export interface ControlThreadData {
  connection: ConnectionInfo;
  /** Session id used in the headers of messages the kernel originates. */
  session: string;
  /** kernel_info_reply content (the same on shell and control). */
  kernelInfo: Record<string, unknown>;
  /** How long the main thread has to exit after a shutdown_request before it is forced. */
  shutdownGraceMs: number;
  /** The connection file's directory when the launcher made it for this kernel (owned-files.ts). */
  ownedDir?: string;
  /** When a SIGINT is safe to send (interrupt-gate.ts). */
  interruptGate: Int32Array;
}

/** Main thread -> worker. */
export type ToControlThread =
  | { type: "start"; data: ControlThreadData }
  | { type: "iopub"; frames: Uint8Array[] }
  | { type: "control-reply"; frames: Uint8Array[] }
  | { type: "shutdown-ack" }
  | { type: "close" };

/** Worker -> main thread. */
export type FromControlThread =
  /** Its modules (ZeroMQ's native addon among them) have loaded. */
  | { type: "loaded" }
  | { type: "ready" }
  | { type: "failed"; message: string }
  | { type: "shutdown"; restart: boolean; reason: string }
  /** interrupt_request where signals cannot be used (Windows). */
  | { type: "interrupt" }
  /** A control request this thread does not answer itself (history, complete, ...). */
  | { type: "control-request"; frames: Uint8Array[] }
  | { type: "closed" };

/** Control requests this thread answers itself, even while the main thread is blocked. */
const ANSWERED_HERE = new Set(["kernel_info_request", "interrupt_request", "shutdown_request", "debug_request", "usage_request"]);

const toBuffers = (frames: Uint8Array[]): Buffer[] => frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength));

/** Sends on one socket strictly one message after another (zeromq allows one pending send). */
class SendQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly socket: zmq.Writable, private readonly name: string) {}
  send(frames: Buffer[]): Promise<void> {
    this.tail = this.tail
      .then(() => this.socket.send(frames))
      .catch((err) => log(`could not send on ${this.name}: ${(err as Error).message}`));
    return this.tail;
  }
  /** Resolves once everything queued so far has been handed to ZeroMQ. */
  drain(): Promise<void> {
    return this.tail;
  }
}

function log(text: string): void {
  process.stderr.write(`[seqlab kernel] ${text}\n`);
}

async function runControlThread(data: ControlThreadData, port: NonNullable<typeof parentPort>): Promise<void> {
  const signer = new Signer(data.connection.key, data.connection.signature_scheme);
  const replays = new ReplayGuard();
  const usage = new UsageSampler();
  // ZeroMQ drops PUB messages past the high-water mark (default 1000 per subscriber); a
  // dropped idle status leaves a frontend waiting forever, so allow a deep queue.
  const iopub = new zmq.Publisher({ linger: 1000, sendHighWaterMark: 100000 });
  const control = new zmq.Router({ linger: 1000 });
  const heartbeat = new zmq.Reply({ linger: 0 });
  const bound = await Promise.allSettled([
    bindOrExplain(iopub, data.connection, "iopub"),
    bindOrExplain(control, data.connection, "control"),
    bindOrExplain(heartbeat, data.connection, "hb"),
  ]);
  const failed = bound.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed) {
    // Closed before the thread ends: ZeroMQ's addon aborts the process when a thread holding
    // open sockets is torn down.
    for (const socket of [iopub, control, heartbeat]) socket.close();
    throw failed.reason;
  }
  const iopubQueue = new SendQueue(iopub, "iopub");
  const controlQueue = new SendQueue(control, "control");
  let closing = false;

  const publish = (msgType: string, content: unknown, parent: JupyterMessage): Promise<void> => {
    const msg = makeMessage(msgType, content, { session: data.session, parent, identities: [Buffer.from(msgType)] });
    return iopubQueue.send(encode(msg, signer));
  };
  const reply = (parent: JupyterMessage, msgType: string, content: unknown): Promise<void> =>
    controlQueue.send(encode(makeMessage(msgType, content, { session: data.session, parent }), signer));

  let shutdownAcked = false;
  const handleControl = async (msg: JupyterMessage, frames: Buffer[]): Promise<void> => {
    const type = msg.header.msg_type;
    if (!ANSWERED_HERE.has(type)) {
      // The main thread's dispatcher answers the rest (history, complete, ...) and publishes
      // their busy/idle itself.
      port.postMessage({ type: "control-request", frames } satisfies FromControlThread);
      return;
    }
    await publish("status", { execution_state: "busy" }, msg);
    switch (type) {
      case "kernel_info_request":
        await reply(msg, "kernel_info_reply", data.kernelInfo);
        break;
      case "interrupt_request":
        await reply(msg, "interrupt_reply", { status: "ok" });
        if (process.platform !== "win32" && claimSignal(data.interruptGate)) {
          // Cell code runs under vm's watchdog: SIGINT breaks even a synchronous loop.
          process.kill(process.pid, "SIGINT");
        } else {
          // Anything else (awaited work, the gaps around the watchdog where a SIGINT would end
          // the process, Windows, which has no catchable SIGINT): the main thread takes it.
          port.postMessage({ type: "interrupt" } satisfies FromControlThread);
        }
        break;
      case "shutdown_request": {
        const restart = msg.content.restart === true;
        await reply(msg, "shutdown_reply", { status: "ok", restart });
        await publish("status", { execution_state: "idle" }, msg);
        port.postMessage({ type: "shutdown", restart, reason: "shutdown_request on control" } satisfies FromControlThread);
        scheduleForcedExit();
        return;
      }
      case "usage_request":
        await reply(msg, "usage_reply", usage.reply());
        break;
      case "debug_request":
        // kernel_info does not advertise a debugger; answer in the DAP shape so a client
        // that asks anyway gets a clear refusal instead of silence.
        await reply(msg, "debug_reply", {
          type: "response",
          request_seq: msg.content.seq ?? 0,
          success: false,
          command: msg.content.command ?? "",
          message: "seqlab does not support debugging",
        });
        break;
    }
    await publish("status", { execution_state: "idle" }, msg);
  };

  // If the main thread is stuck in a synchronous loop it cannot act on the shutdown message:
  // first interrupt it, then, past the grace period, end the process outright.
  const scheduleForcedExit = (): void => {
    const interruptTimer = setTimeout(() => {
      if (!shutdownAcked && process.platform !== "win32") process.kill(process.pid, "SIGINT");
    }, 500);
    const killTimer = setTimeout(() => {
      log("the main thread did not shut down in time; forcing exit");
      process.kill(process.pid, "SIGKILL");
    }, data.shutdownGraceMs);
    interruptTimer.unref();
    killTimer.unref();
  };

  port.on("message", (m: ToControlThread) => {
    switch (m.type) {
      case "iopub":
        void iopubQueue.send(toBuffers(m.frames));
        break;
      case "control-reply":
        void controlQueue.send(toBuffers(m.frames));
        break;
      case "shutdown-ack":
        shutdownAcked = true;
        break;
      case "close":
        closing = true;
        // Let queued iopub/control messages go out (linger) before the process exits.
        void Promise.all([iopubQueue.drain(), controlQueue.drain()]).finally(() => {
          iopub.close();
          control.close();
          heartbeat.close();
          port.postMessage({ type: "closed" } satisfies FromControlThread);
        });
        break;
    }
  });

  // An orphaned kernel (its launcher was killed) removes the key it was given and exits, even
  // while a cell spins: the main thread may never read this message, so the forced exit follows.
  watchParent((why) => {
    removeOwnedDir(data.ownedDir);
    log(`${why}; shutting down`);
    port.postMessage({ type: "shutdown", restart: false, reason: why } satisfies FromControlThread);
    scheduleForcedExit();
  });

  port.postMessage({ type: "ready" } satisfies FromControlThread);

  const heartbeatLoop = async (): Promise<void> => {
    try {
      for await (const frames of heartbeat) await heartbeat.send(frames);
    } catch (err) {
      if (!closing) log(`heartbeat stopped: ${(err as Error).message}`);
    }
  };
  const controlLoop = async (): Promise<void> => {
    try {
      for await (const frames of control) {
        let msg: JupyterMessage;
        try {
          msg = decode(frames, signer, replays);
        } catch (err) {
          log(`dropped a control message: ${err instanceof WireError ? err.message : String(err)}`);
          continue;
        }
        await handleControl(msg, frames).catch((err) => log(`control ${msg.header.msg_type} failed: ${(err as Error).stack}`));
      }
    } catch (err) {
      if (!closing) log(`control socket stopped: ${(err as Error).message}`);
    }
  };
  await Promise.all([heartbeatLoop(), controlLoop()]);
}

if (parentPort) {
  // Started before the main thread knows the kernel's info (control-thread-launch.ts): this
  // thread loads its modules meanwhile, and binds once the data comes.
  const port = parentPort;
  port.postMessage({ type: "loaded" } satisfies FromControlThread);
  port.once("message", (m: ToControlThread) => {
    if (m.type !== "start") return;
    runControlThread(m.data, port).catch((err: Error) => {
      port.postMessage({ type: "failed", message: err.message } satisfies FromControlThread);
    });
  });
}
