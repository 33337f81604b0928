/**
 * What cells find as globals: display(), clearOutput(), input()/prompt(), registerMagic(),
 * plus their TypeScript declarations (PRELUDE, given to the type checker before every cell).
 */
import { randomUUID } from "crypto";
import { capturingDisplayHost } from "../../lib/runtime";
import { executions } from "./context";
import { richHelpers, showOn, type DisplayHandle, type DisplayOptions } from "./display";
import { registerMagic } from "../magics/registry";
import type { MagicSpec } from "../magics/types";
import { HISTORY_DECLARATIONS } from "./history";

/** Type declarations of the globals below; kept in step with installCellGlobals. */
export const PRELUDE = `
declare global {
  /** A shown output that can be replaced in place. */
  interface DisplayHandle {
    readonly id: string;
    /** Replaces the output (update_display_data). */
    update(value: unknown): Promise<void>;
  }
  interface DisplayFunction {
    /** Shows a value: rich when it has [Symbol.for("Jupyter.display")], else as text. */
    (value: unknown, options?: { displayId?: string; metadata?: Record<string, unknown> }): DisplayHandle;
    html(html: string): object;
    markdown(markdown: string): object;
    svg(svg: string): object;
    png(data: Uint8Array | string): object;
    json(data: unknown): object;
    text(text: string): object;
    /** Any MIME bundle, e.g. display.mime({ "text/html": "<b>hi</b>", "text/plain": "hi" }). */
    mime(bundle: Record<string, unknown>): object;
  }
  var display: DisplayFunction;
  /** Clears the cell's output (after the next output when wait is true). */
  function clearOutput(wait?: boolean): void;
  /** Asks the user for a line of text (needs a frontend that allows stdin). */
  function input(prompt?: string, options?: { password?: boolean }): Promise<string>;
  function prompt(message?: string, defaultValue?: string): Promise<string>;
  interface MagicOptionSpec { type: "string" | "number" | "boolean"; short?: string; default?: string | number | boolean; multiple?: boolean; help: string }
  interface MagicSpecForCells {
    name: string;
    kind: "line" | "cell" | "both";
    usage: string;
    help: string;
    options?: Record<string, MagicOptionSpec>;
    args?: "words" | "code" | "raw";
    expandVariables?: boolean;
    positionals?: boolean;
    run(ctx: any, args: { invokedAs: "line" | "cell"; line: string; options: Record<string, any>; positionals: string[]; refs: Array<{ written: string; value: unknown } | undefined>; optionRefs: Record<string, { written: string; value: unknown } | undefined>; rest: string; body?: string }): unknown;
  }
  /** Defines a magic (%name / %%name) for this kernel session. */
  function registerMagic(spec: MagicSpecForCells): void;
${HISTORY_DECLARATIONS}}
`;

function currentHost() {
  return executions.outputTarget()?.host ?? executions.running()?.host;
}

function display(value: unknown, options?: DisplayOptions): DisplayHandle {
  // Inside an Output widget's capture (interact, a button's callback), the display is the widget's.
  const captured = capturingDisplayHost();
  if (captured) {
    const slot = captured.display(value);
    return { id: options?.displayId ?? randomUUID(), update: async (next) => slot.update(next) };
  }
  const ctx = executions.current() ?? executions.running();
  if (!ctx) throw new Error("display() works only while a cell runs");
  return showOn(currentHost, value, options);
}
Object.assign(display, {
  html: richHelpers.html,
  markdown: richHelpers.markdown,
  svg: richHelpers.svg,
  png: richHelpers.png,
  json: richHelpers.json,
  text: richHelpers.text,
  mime: richHelpers.mime,
});

function clearOutput(wait = false): void {
  const captured = capturingDisplayHost();
  if (captured) return captured.clear?.();
  currentHost()?.clearOutput(Boolean(wait));
}

async function input(promptText = "", options: { password?: boolean } = {}): Promise<string> {
  const host = currentHost();
  if (!host) throw new Error("input() works only while a cell runs");
  return host.input(String(promptText), Boolean(options.password));
}

async function prompt(message = "", defaultValue?: string): Promise<string> {
  const answer = await input(message);
  return answer === "" && defaultValue !== undefined ? defaultValue : answer;
}

function registerMagicFromCell(spec: MagicSpec): void {
  registerMagic(spec);
}

const GLOBALS: Record<string, unknown> = { display, clearOutput, input, prompt, registerMagic: registerMagicFromCell };

/** Defines the cell globals (non-enumerable, replaceable by user code). */
export function installCellGlobals(): void {
  for (const [name, value] of Object.entries(GLOBALS)) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
}

export function removeCellGlobals(): void {
  for (const [name, value] of Object.entries(GLOBALS)) {
    if ((globalThis as Record<string, unknown>)[name] === value) delete (globalThis as Record<string, unknown>)[name];
  }
}
