/**
 * The kernel's comm registry: comms opened by either side, and the targets kernel code
 * registered (through lib/comms.ts). It handles comm_open/comm_msg/comm_close from the
 * frontend and sends kernel-side comm messages on iopub; the server routes messages to it.
 */
import { AsyncLocalStorage } from "async_hooks";
import { randomUUID } from "crypto";
import { types } from "util";
import { checkJsonObject, type BufferLike, type Comm, type CommHost, type CommMessage, type CommTargetHandler } from "../lib/comms";
import type { JupyterMessage } from "./wire";

/** What the registry needs from the server. */
export interface CommTransport {
  /** Sends a message on iopub with `parent` as its parent header. */
  publish(msgType: string, content: Record<string, unknown>, parent: JupyterMessage | undefined, extra: { metadata?: Record<string, unknown>; buffers?: Buffer[] }): void;
  /** The request kernel code is running for now (the current cell), when no comm message is being handled. */
  currentRequest(): JupyterMessage | undefined;
  log(text: string): void;
}

export const COMM_MESSAGE_TYPES: ReadonlySet<string> = new Set(["comm_open", "comm_msg", "comm_close"]);

function toBuffer(value: BufferLike, what: string): Buffer {
  // util.types, not instanceof: cell code may run in another realm (a vm context).
  if (types.isAnyArrayBuffer(value)) return Buffer.from(value);
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`${what}: each buffer must be an ArrayBuffer or a typed array/DataView, got ${Object.prototype.toString.call(value)}`);
}

function toBuffers(values: BufferLike[] | undefined, what: string): Buffer[] {
  if (values === undefined) return [];
  if (!Array.isArray(values)) throw new TypeError(`${what}: buffers must be an array of ArrayBuffers or typed arrays`);
  return values.map((b) => toBuffer(b, what));
}

const payloadOf = (msg: JupyterMessage): CommMessage => ({
  data: (msg.content.data as Record<string, unknown> | undefined) ?? {},
  metadata: msg.metadata,
  buffers: msg.buffers,
});

class KernelComm implements Comm {
  closed = false;
  readonly messageHandlers: ((msg: CommMessage) => void)[] = [];
  readonly closeHandlers: ((msg: CommMessage) => void)[] = [];

  constructor(
    private readonly registry: CommRegistry,
    readonly commId: string,
    readonly targetName: string,
  ) {}

  send(data: Record<string, unknown> = {}, buffers?: BufferLike[], metadata: Record<string, unknown> = {}): void {
    if (this.closed) throw new Error(`comm ${this.commId} (target "${this.targetName}") is closed; open a new comm to send more`);
    const content = { comm_id: this.commId, data: checkJsonObject(data, "comm.send: data") };
    this.registry.publish("comm_msg", content, checkJsonObject(metadata, "comm.send: metadata"), toBuffers(buffers, "comm.send"));
  }

  close(data: Record<string, unknown> = {}): void {
    if (this.closed) return;
    this.closed = true;
    this.registry.forget(this.commId);
    this.registry.publish("comm_close", { comm_id: this.commId, data: checkJsonObject(data, "comm.close: data") }, {}, []);
  }

  onMessage(handler: (msg: CommMessage) => void): void {
    if (typeof handler !== "function") throw new TypeError("comm.onMessage needs a function (msg) => ...");
    this.messageHandlers.push(handler);
  }

  onClose(handler: (msg: CommMessage) => void): void {
    if (typeof handler !== "function") throw new TypeError("comm.onClose needs a function (msg) => ...");
    this.closeHandlers.push(handler);
  }
}

export class CommRegistry implements CommHost {
  private readonly targets = new Map<string, CommTargetHandler>();
  private readonly comms = new Map<string, KernelComm>();
  /** The comm message being handled, through its handlers' awaits (their sends answer it). */
  private readonly handling = new AsyncLocalStorage<JupyterMessage>();

  constructor(private readonly transport: CommTransport) {}

  registerTarget(targetName: string, handler: CommTargetHandler): void {
    this.targets.set(targetName, handler);
  }

  unregisterTarget(targetName: string): void {
    this.targets.delete(targetName);
  }

  open(targetName: string, data: Record<string, unknown>, metadata: Record<string, unknown>, buffers: BufferLike[]): Comm {
    const comm = new KernelComm(this, randomUUID(), targetName);
    this.publish("comm_open", { comm_id: comm.commId, target_name: targetName, data }, metadata, toBuffers(buffers, "sl.comms.open"));
    this.comms.set(comm.commId, comm);
    return comm;
  }

  publish(msgType: string, content: Record<string, unknown>, metadata: Record<string, unknown>, buffers: Buffer[]): void {
    this.transport.publish(msgType, content, this.handling.getStore() ?? this.transport.currentRequest(), { metadata, buffers });
  }

  forget(commId: string): void {
    this.comms.delete(commId);
  }

  /** comm_info_reply's `comms`: every open comm, or those of one target. */
  info(targetName?: unknown): Record<string, { target_name: string }> {
    const result: Record<string, { target_name: string }> = {};
    for (const comm of this.comms.values()) {
      if (typeof targetName === "string" && targetName !== "" && comm.targetName !== targetName) continue;
      result[comm.commId] = { target_name: comm.targetName };
    }
    return result;
  }

  /** Handles comm_open, comm_msg or comm_close from the frontend. */
  handle(msg: JupyterMessage): void {
    this.handling.run(msg, () => {
      const commId = msg.content.comm_id;
      if (typeof commId !== "string" || commId === "") {
        this.transport.log(`ignored ${msg.header.msg_type} without a comm_id`);
        return;
      }
      if (msg.header.msg_type === "comm_open") this.opened(msg, commId);
      else if (msg.header.msg_type === "comm_msg") this.received(msg, commId);
      else this.closedByFrontend(msg, commId);
    });
  }

  private opened(msg: JupyterMessage, commId: string): void {
    const targetName = String(msg.content.target_name ?? "");
    const handler = this.targets.get(targetName);
    const comm = new KernelComm(this, commId, targetName);
    if (!handler) {
      // As ipykernel does: close it, so the frontend does not wait on a comm nobody serves.
      this.transport.log(`no comm target "${targetName}" is registered; closing comm ${commId}`);
      comm.close();
      return;
    }
    this.comms.set(commId, comm);
    if (!this.call(() => handler(comm, payloadOf(msg)), msg, `the handler of comm target "${targetName}"`)) comm.close();
  }

  private received(msg: JupyterMessage, commId: string): void {
    const comm = this.comms.get(commId);
    if (!comm) return this.transport.log(`comm_msg for unknown comm ${commId} ignored`);
    for (const handler of comm.messageHandlers) this.call(() => handler(payloadOf(msg)), msg, `a message handler of comm ${commId}`);
  }

  private closedByFrontend(msg: JupyterMessage, commId: string): void {
    const comm = this.comms.get(commId);
    if (!comm) return this.transport.log(`comm_close for unknown comm ${commId} ignored`);
    comm.closed = true;
    this.forget(commId);
    for (const handler of comm.closeHandlers) this.call(() => handler(payloadOf(msg)), msg, `a close handler of comm ${commId}`);
  }

  /**
   * Runs a handler; an error it throws (or a promise it returns rejects with) is shown as a
   * stderr stream parented to the comm message and logged, and the kernel carries on.
   */
  private call(run: () => unknown, msg: JupyterMessage, what: string): boolean {
    const report = (err: unknown): void => {
      const text = `Error in ${what}: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`;
      this.transport.log(text.trimEnd());
      this.transport.publish("stream", { name: "stderr", text }, msg, {});
    };
    try {
      const result = run();
      if (result && typeof (result as Promise<unknown>).then === "function") (result as Promise<unknown>).then(undefined, report);
      return true;
    } catch (err) {
      report(err);
      return false;
    }
  }
}
