/**
 * Comms: named two-way channels between kernel code and the frontend (Jupyter's comm_open,
 * comm_msg and comm_close), on which widgets are built.
 *
 *   sl.comms.registerTarget("counter", (comm, open) => {
 *     comm.onMessage((msg) => comm.send({ count: Number(msg.data.count) + 1 }));
 *   });
 *   const comm = sl.comms.open("my.target", { hello: "frontend" });
 *
 * The kernel provides the comm host (lib/runtime.ts's commHost convention); lib/ never imports
 * the kernel. Outside a Jupyter kernel there is no frontend to talk to, so `open` and
 * `registerTarget` throw an Error that says so; `sl.comms.available()` tells code (a widget
 * that falls back to text) whether comms can be used.
 */
import { commHost } from "./runtime";

/** A comm message's payload: JSON data and metadata, and any binary buffers. */
export interface CommMessage {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  buffers: Uint8Array[];
}

/** Binary data a comm can send: an ArrayBuffer or any view on one (Uint8Array, Float32Array, DataView, Buffer). */
export type BufferLike = ArrayBuffer | ArrayBufferView;

export interface Comm {
  readonly commId: string;
  readonly targetName: string;
  /** True once either side has closed the comm. */
  readonly closed: boolean;
  /** Sends comm_msg to the frontend; throws when the comm is closed. */
  send(data?: Record<string, unknown>, buffers?: BufferLike[], metadata?: Record<string, unknown>): void;
  /** Sends comm_close; onClose handlers are for closes the frontend starts, as in ipykernel. */
  close(data?: Record<string, unknown>): void;
  /** Called with each comm_msg from the frontend. */
  onMessage(handler: (msg: CommMessage) => void): void;
  /** Called when the frontend closes the comm. */
  onClose(handler: (msg: CommMessage) => void): void;
}

/** Called when the frontend opens a comm to a registered target, with the comm_open's payload. */
export type CommTargetHandler = (comm: Comm, open: CommMessage) => void;

/** What the kernel installs under the commHost convention. */
export interface CommHost {
  registerTarget(targetName: string, handler: CommTargetHandler): void;
  unregisterTarget(targetName: string): void;
  open(targetName: string, data: Record<string, unknown>, metadata: Record<string, unknown>, buffers: BufferLike[]): Comm;
}

function host(what: string): CommHost {
  const found = commHost();
  if (!found) {
    throw new Error(
      `${what} needs a Jupyter kernel: comms connect kernel code to a notebook frontend. ` +
        "Run this in a notebook with the seqlab kernel, or check sl.comms.available() first.",
    );
  }
  return found;
}

function checkTarget(targetName: unknown, what: string): string {
  if (typeof targetName !== "string" || targetName === "") throw new TypeError(`${what}: the target name must be a non-empty string, got ${JSON.stringify(targetName)}`);
  return targetName;
}

/** Checks that data is a JSON object (what the protocol carries), naming the argument otherwise. */
export function checkJsonObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new TypeError(`${what} must be a plain object (sent as JSON), e.g. { value: 1 }; binary data goes in the buffers argument`);
  }
  return value as Record<string, unknown>;
}

export const comms = {
  /** Whether a comm host (a Jupyter kernel) is present. */
  available(): boolean {
    return commHost() !== undefined;
  },

  /** Handles comms the frontend opens to `targetName`; a later registration replaces an earlier one. */
  registerTarget(targetName: string, handler: CommTargetHandler): void {
    checkTarget(targetName, "sl.comms.registerTarget");
    if (typeof handler !== "function") throw new TypeError("sl.comms.registerTarget: the handler must be a function (comm, open) => ...");
    host("sl.comms.registerTarget").registerTarget(targetName, handler);
  },

  unregisterTarget(targetName: string): void {
    host("sl.comms.unregisterTarget").unregisterTarget(checkTarget(targetName, "sl.comms.unregisterTarget"));
  },

  /** Opens a comm to a target the frontend registered (e.g. "jupyter.widget"). */
  open(targetName: string, data: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}, buffers: BufferLike[] = []): Comm {
    checkTarget(targetName, "sl.comms.open");
    return host("sl.comms.open").open(targetName, checkJsonObject(data, "sl.comms.open: data"), checkJsonObject(metadata, "sl.comms.open: metadata"), buffers);
  },
};
