/**
 * Running the sequence magics through the real parser and MagicContext (runMagic) in a
 * registry of their own, against a recording host and a plain-object notebook namespace.
 */
import { expect } from "chai";
import * as vm from "vm";
import { runMagic, type MagicServices } from "../../kernel/magics/context";
import { MagicRegistry } from "../../kernel/magics/registry";
import { sequenceMagics } from "../../kernel/magics/sequence";
import { parseCell } from "../../kernel/magics/parser";
import { DISPLAY, isDisplayable, type MimeBundle } from "../../lib/runtime";
import type { CellHost } from "../../kernel/contract";

export interface Shown {
  data: MimeBundle;
  displayId: string;
  update: boolean;
}

export class Recorder implements CellHost {
  out = "";
  err = "";
  shown: Shown[] = [];
  payloads: Record<string, unknown>[] = [];
  stdout(text: string): void {
    this.out += text;
  }
  stderr(text: string): void {
    this.err += text;
  }
  display(data: MimeBundle, _metadata: Record<string, unknown>, displayId?: string, update?: boolean): void {
    this.shown.push({ data, displayId: displayId ?? "", update: update === true });
  }
  clearOutput(): void {}
  async input(): Promise<string> {
    throw new Error("no stdin in tests");
  }
  payload(item: Record<string, unknown>): void {
    this.payloads.push(item);
  }
  /** First displays only (not updates), in order. */
  get firstShown(): Shown[] {
    return this.shown.filter((s) => !s.update);
  }
}

export const registry = new MagicRegistry();
for (const magic of sequenceMagics) registry.register(magic);

async function bundleOf(value: unknown): Promise<MimeBundle> {
  if (isDisplayable(value)) return { ...(await value[DISPLAY]()) };
  return { "text/plain": String(value) };
}

let ids = 0;

/** A notebook: variables plus the services the engine would lend. */
export class FakeNotebook {
  readonly namespace: Record<string, unknown> = Object.create(null);
  /** The host of the latest run (also when the magic threw). */
  lastHost?: Recorder;

  services(host: CellHost): MagicServices {
    const ns = this.namespace;
    return {
      namespace: ns,
      values: {
        lookup: (name) => (name in ns ? { found: true, value: ns[name] } : { found: false }),
        evaluate: (expr) => vm.runInNewContext(`(${expr})`, { ...ns }),
      },
      // The tests' cell bodies are plain JavaScript expressions.
      runCode: async (code) => vm.runInNewContext(code, { ...ns }),
      compileCode: async () => {
        throw new Error("not used by the sequence magics");
      },
      resetNamespace: () => {
        for (const k of Object.keys(ns)) delete ns[k];
      },
      display: (value, options) => {
        const id = options?.displayId ?? `display-${++ids}`;
        let chain = bundleOf(value).then((data) => host.display(data, {}, id, false));
        return {
          id,
          update: (next: unknown) => (chain = chain.then(() => bundleOf(next)).then((data) => host.display(data, {}, id, true))),
        };
      },
    };
  }

  /** Runs one cell made of a single magic (`%name args` or `%%name args\nbody`). */
  async run(cell: string, signal: AbortSignal = new AbortController().signal): Promise<{ value: unknown; host: Recorder }> {
    const host = new Recorder();
    this.lastHost = host;
    const parsed = parseCell(cell);
    const call =
      "cellMagic" in parsed
        ? { ...parsed.cellMagic, invokedAs: "cell" as const }
        : (() => {
            const piece = parsed.pieces[0];
            if (!piece || piece.kind !== "magic") throw new Error(`not a magic: ${cell}`);
            return { name: piece.name, args: piece.args, help: piece.help, invokedAs: "line" as const };
          })();
    const value = await runMagic(registry, call, host, signal, this.services(host));
    // Let chained display sends land.
    await new Promise((r) => setTimeout(r, 5));
    return { value, host };
  }
}

/** The text of a value's text/plain view. */
export async function plainOf(value: unknown): Promise<string> {
  return String((await bundleOf(value))["text/plain"]);
}

export async function htmlOf(value: unknown): Promise<string> {
  return String((await bundleOf(value))["text/html"]);
}

/** Runs a cell that must fail with a UsageError; returns the error. */
export async function usageErrorOf(nb: FakeNotebook, cell: string): Promise<Error> {
  try {
    await nb.run(cell);
  } catch (err) {
    expect((err as Error).name, (err as Error).message).to.equal("UsageError");
    return err as Error;
  }
  throw new Error(`expected a UsageError from ${cell}`);
}
