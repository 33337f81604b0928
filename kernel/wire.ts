/**
 * The Jupyter messaging protocol's wire format (version 5.x): a multipart ZeroMQ message of
 * routing identities, the `<IDS|MSG>` delimiter, an HMAC signature, four JSON frames
 * (header, parent_header, metadata, content) and any raw buffers.
 *
 * This module is pure: it turns frames into messages and back, and signs and checks them.
 * Sockets live in server.ts, control-thread.ts and jupyter-client.ts.
 */
import { createHmac, randomUUID, timingSafeEqual } from "crypto";

export const PROTOCOL_VERSION = "5.5";
export const DELIMITER = "<IDS|MSG>";
const DELIMITER_BYTES = Buffer.from(DELIMITER);

export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  [key: string]: unknown;
}

export interface JupyterMessage<C = Record<string, unknown>> {
  /** Routing identities that came before the delimiter (replies go back through them). */
  identities: Buffer[];
  header: MessageHeader;
  /** The header of the request this message answers, or {} when it answers none. */
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** Why a multipart message was refused; the caller logs it and drops the message. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WireError";
  }
}

/**
 * Signs and checks messages with the connection file's key. An empty key means no signing
 * (the signature frame is empty and not checked), as the protocol allows.
 */
export class Signer {
  private readonly key: Buffer;
  private readonly algorithm: string;

  constructor(key: string, scheme = "hmac-sha256") {
    this.key = Buffer.from(key, "utf8");
    if (!scheme.startsWith("hmac-")) {
      throw new WireError(`unsupported signature_scheme "${scheme}": expected "hmac-<digest>", e.g. "hmac-sha256"`);
    }
    this.algorithm = scheme.slice("hmac-".length);
    // Fails early (at start-up) when Node does not know the digest.
    if (this.key.length > 0) createHmac(this.algorithm, this.key);
  }

  get enabled(): boolean {
    return this.key.length > 0;
  }

  sign(frames: Buffer[]): string {
    if (!this.enabled) return "";
    const hmac = createHmac(this.algorithm, this.key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest("hex");
  }

  /** Constant-time comparison, so that timing does not leak the expected signature. */
  verify(signature: string, frames: Buffer[]): boolean {
    if (!this.enabled) return true;
    const expected = Buffer.from(this.sign(frames), "utf8");
    const given = Buffer.from(signature, "utf8");
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

/**
 * Remembers the signatures of recent messages so that a captured message sent again (a
 * replay) is refused, as jupyter_client's Session does with its digest history. Only signed
 * messages can be recognised; with an empty key there is nothing to remember.
 */
export class ReplayGuard {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 65536) {}

  /** Throws WireError when `signature` was seen before; otherwise remembers it. */
  check(signature: string): void {
    if (signature === "") return;
    if (this.seen.has(signature)) throw new WireError("duplicate signature: the message was already received (a replay); dropped");
    this.seen.add(signature);
    // A Set iterates in insertion order: forget the oldest once full.
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value as string);
  }
}

function parseJsonFrame(frame: Buffer, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(frame.toString("utf8"));
  } catch (err) {
    throw new WireError(`the ${name} frame is not valid JSON (${(err as Error).message})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new WireError(`the ${name} frame must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Parses received frames; throws WireError on a malformed message, a bad signature, or (with
 * a guard) a message already received.
 */
export function decode(frames: Buffer[], signer: Signer, replays?: ReplayGuard): JupyterMessage {
  const at = frames.findIndex((f) => f.equals(DELIMITER_BYTES));
  if (at < 0) throw new WireError(`no "${DELIMITER}" delimiter among ${frames.length} frames`);
  if (frames.length < at + 6) {
    throw new WireError(`expected signature and 4 JSON frames after the delimiter, got ${frames.length - at - 1} frames`);
  }
  const signature = frames[at + 1].toString("utf8");
  const body = frames.slice(at + 2, at + 6);
  if (!signer.verify(signature, body)) throw new WireError("invalid HMAC signature");
  replays?.check(signature);
  const header = parseJsonFrame(body[0], "header") as MessageHeader;
  if (typeof header.msg_type !== "string" || typeof header.msg_id !== "string") {
    throw new WireError("the header lacks msg_id or msg_type");
  }
  return {
    identities: frames.slice(0, at),
    header,
    parent_header: parseJsonFrame(body[1], "parent_header") as Partial<MessageHeader>,
    metadata: parseJsonFrame(body[2], "metadata"),
    content: parseJsonFrame(body[3], "content"),
    buffers: frames.slice(at + 6),
  };
}

/** Serializes a message into frames, signing the four JSON frames. */
export function encode(msg: JupyterMessage<unknown>, signer: Signer): Buffer[] {
  const body = [
    Buffer.from(JSON.stringify(msg.header), "utf8"),
    Buffer.from(JSON.stringify(msg.parent_header ?? {}), "utf8"),
    Buffer.from(JSON.stringify(msg.metadata ?? {}), "utf8"),
    Buffer.from(JSON.stringify(msg.content ?? {}), "utf8"),
  ];
  return [...msg.identities, DELIMITER_BYTES, Buffer.from(signer.sign(body), "utf8"), ...body, ...msg.buffers];
}

/** A fresh header for a message this side originates. */
export function makeHeader(msgType: string, session: string, username = "seqlab"): MessageHeader {
  return {
    msg_id: randomUUID(),
    session,
    username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/**
 * Builds a message answering or caused by `parent`. Replies on ROUTER sockets reuse the
 * parent's identities; iopub messages carry the msg_type as their topic instead.
 */
export function makeMessage<C>(
  msgType: string,
  content: C,
  options: { session: string; parent?: JupyterMessage<unknown>; identities?: Buffer[]; metadata?: Record<string, unknown>; buffers?: Buffer[] },
): JupyterMessage<C> {
  return {
    identities: options.identities ?? options.parent?.identities ?? [],
    header: makeHeader(msgType, options.session),
    parent_header: options.parent ? options.parent.header : {},
    metadata: options.metadata ?? {},
    content,
    buffers: options.buffers ?? [],
  };
}

/** The connection file Jupyter writes for a kernel. */
export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

export type Channel = "shell" | "iopub" | "stdin" | "control" | "hb";

/** The ZeroMQ endpoint of one channel (ipc endpoints follow jupyter_client's `ip-port` naming). */
export function endpoint(info: ConnectionInfo, channel: Channel): string {
  const port = info[`${channel}_port` as const];
  return info.transport === "ipc" ? `ipc://${info.ip}-${port}` : `tcp://${info.ip}:${port}`;
}

/** Binds a socket to a channel's endpoint; a failure names the channel and address. */
export async function bindOrExplain(socket: { bind(address: string): Promise<void> }, info: ConnectionInfo, channel: Channel): Promise<void> {
  const address = endpoint(info, channel);
  try {
    await socket.bind(address);
  } catch (err) {
    throw new Error(`cannot bind the ${channel} socket to ${address}: ${(err as Error).message} (is another kernel using this connection file?)`);
  }
}

/** Checks a parsed connection file and says what is wrong with it. */
export function validateConnectionInfo(value: unknown, source: string): ConnectionInfo {
  if (value === null || typeof value !== "object") throw new Error(`${source}: a connection file must hold a JSON object`);
  const v = value as Record<string, unknown>;
  const transport = v.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") throw new Error(`${source}: transport must be "tcp" or "ipc", got ${JSON.stringify(transport)}`);
  for (const name of ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"]) {
    if (!Number.isInteger(v[name])) throw new Error(`${source}: "${name}" must be an integer port number`);
  }
  if (typeof v.ip !== "string" || v.ip === "") throw new Error(`${source}: "ip" must be a non-empty string`);
  return {
    ...(v as unknown as ConnectionInfo),
    transport,
    key: typeof v.key === "string" ? v.key : "",
    signature_scheme: typeof v.signature_scheme === "string" ? v.signature_scheme : "hmac-sha256",
  };
}
