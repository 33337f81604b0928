/**
 * Turning values into MIME bundles, and the display() machinery cells and lib/ use.
 */
import util from "util";
import { randomUUID } from "crypto";
import { DISPLAY, isDisplayable, type DisplayHost, type DisplaySlot, type MimeBundle } from "../../lib/runtime";
import type { CellHost } from "../contract";

/** Duck-typed tf.Tensor (avoids loading TensorFlow.js just to recognise one). */
export interface TensorLike {
  shape: number[];
  dtype: string;
  size: number;
  isDisposed?: boolean;
  toString(verbose?: boolean): string;
}

export function isTensorLike(value: unknown): value is TensorLike {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.shape) && typeof v.dtype === "string" && typeof v.dataSync === "function" && typeof v.size === "number";
}

/** The text/plain form of any value, like a REPL shows it. */
export function plainText(value: unknown): string {
  if (isTensorLike(value)) {
    if (value.isDisposed) return `Tensor (disposed) shape=[${value.shape.join(",")}] dtype=${value.dtype}`;
    try {
      return value.toString();
    } catch {
      return `Tensor shape=[${value.shape.join(",")}] dtype=${value.dtype}`;
    }
  }
  return util.inspect(value, { depth: 4, colors: false, maxArrayLength: 100, maxStringLength: 10000, breakLength: 100 });
}

/** Always has text/plain (Jupyter requires it); a Displayable's bundle wins where given. */
export async function toMimeBundle(value: unknown): Promise<MimeBundle> {
  if (isDisplayable(value)) {
    const bundle = await value[DISPLAY]();
    if (bundle === null || typeof bundle !== "object") {
      throw new TypeError(`the value's [Symbol.for("Jupyter.display")]() returned ${plainText(bundle)}, expected a MIME bundle object`);
    }
    return "text/plain" in bundle ? { ...bundle } : { "text/plain": plainText(value), ...bundle };
  }
  return { "text/plain": plainText(value) };
}

/** Wraps a ready MIME bundle so it displays as itself. */
export function mimeBundle(bundle: MimeBundle): { [DISPLAY](): MimeBundle } {
  if (bundle === null || typeof bundle !== "object" || Array.isArray(bundle)) {
    throw new TypeError("display.mime expects an object mapping MIME types to data, e.g. { \"text/html\": \"<b>hi</b>\" }");
  }
  return { [DISPLAY]: () => bundle };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Helpers for rich content that is not a Displayable object. */
export const richHelpers = {
  html: (html: string) => mimeBundle({ "text/html": String(html), "text/plain": String(html) }),
  markdown: (md: string) => mimeBundle({ "text/markdown": String(md), "text/plain": String(md) }),
  svg: (svg: string) => mimeBundle({ "image/svg+xml": String(svg), "text/plain": "<svg image>" }),
  png: (data: Uint8Array | string) =>
    mimeBundle({
      "image/png": typeof data === "string" ? data : Buffer.from(data).toString("base64"),
      "text/plain": "<png image>",
    }),
  json: (data: unknown) => mimeBundle({ "application/json": data, "text/plain": plainText(data) }),
  text: (text: string) => mimeBundle({ "text/plain": String(text) }),
  mime: mimeBundle,
  escapeHtml,
};

export interface DisplayOptions {
  /** Reuse a display id (to update an existing output later by that id). */
  displayId?: string;
  metadata?: Record<string, unknown>;
}

/** What display() returns: the output's id and a way to replace it in place. */
export interface DisplayHandle extends DisplaySlot {
  readonly id: string;
  update(value: unknown): Promise<void>;
}

/**
 * Shows values on a CellHost; bundles may be computed asynchronously, so sends for one
 * display id are chained to keep their order.
 */
export function showOn(getHost: () => CellHost | undefined, value: unknown, options: DisplayOptions = {}): DisplayHandle {
  const id = options.displayId ?? randomUUID();
  const metadata = options.metadata ?? {};
  let chain: Promise<void> = Promise.resolve();
  const send = (v: unknown, update: boolean): Promise<void> => {
    const host = getHost();
    chain = chain
      .then(() => toMimeBundle(v))
      .then((bundle) => {
        (host ?? getHost())?.display(bundle, metadata, id, update);
      });
    return chain;
  };
  const first = send(value, false);
  // A failing bundle should surface through update()/await, not as an unhandled rejection.
  first.catch((err: Error) => getHost()?.stderr(`display failed: ${err.message}\n`));
  return {
    id,
    update(v: unknown) {
      return send(v, true);
    },
  };
}

/** lib/'s DisplayHost (live training plots) backed by the current execution's CellHost. */
export function libDisplayHost(getHost: () => CellHost | undefined): DisplayHost {
  return {
    display(value: unknown): DisplaySlot {
      const handle = showOn(getHost, value);
      return {
        update(v: unknown) {
          handle.update(v).catch((err: Error) => getHost()?.stderr(`display update failed: ${err.message}\n`));
        },
      };
    },
  };
}
