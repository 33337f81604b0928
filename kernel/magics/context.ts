/**
 * Running one magic call: find it, answer help requests with a pager payload, read its
 * arguments, and give it a MagicContext backed by the engine's services.
 */
import type { CellHost } from "../contract";
import { UsageError } from "../engine/errors";
import { parseMagicArgs, usageMessage, type ValueSource } from "./args";
import { magicHelp } from "./help";
import { leadingCellMagic } from "./parser";
import type { MagicRegistry } from "./registry";
import { describeValue, type CompiledCode, type DisplayHandleLike, type MagicContext, type MagicSpec, type ValueRef } from "./types";

/** What the engine lends to magics. */
export interface MagicServices {
  namespace: Record<string, unknown>;
  values: ValueSource;
  runCode(code: string): Promise<unknown>;
  compileCode(code: string, options?: { keepDeclarations?: boolean }): Promise<CompiledCode>;
  resetNamespace(): void;
  display(value: unknown, options?: { displayId?: string; metadata?: Record<string, unknown> }): DisplayHandleLike;
}

export interface MagicInvocation {
  name: string;
  args: string;
  invokedAs: "line" | "cell";
  body?: string;
  help: 0 | 1 | 2;
}

/** A pager payload, as IPython sends for `?` help. */
export function pagePayload(text: string): Record<string, unknown> {
  return { source: "page", data: { "text/plain": text }, start: 0 };
}

function createContext(spec: MagicSpec, host: CellHost, signal: AbortSignal, services: MagicServices, registry: MagicRegistry): MagicContext {
  const usageError = (message: string): never => {
    throw new UsageError(usageMessage(spec, message));
  };
  const variable = (name: string): unknown => {
    const found = services.values.lookup(name);
    if (!found.found) usageError(`${name} is not defined in the notebook`);
    return found.value;
  };
  return {
    name: spec.name,
    host,
    signal,
    namespace: services.namespace,
    registry,
    print: (text) => host.stdout(text.endsWith("\n") ? text : `${text}\n`),
    printError: (text) => host.stderr(text.endsWith("\n") ? text : `${text}\n`),
    display: (value, options) => services.display(value, options),
    page: (text) => host.payload(pagePayload(text)),
    variable,
    expect<T>(ref: ValueRef | string, expected: string, test: (value: unknown) => value is T): T {
      const resolved: ValueRef = typeof ref === "string" ? { written: `$${ref}`, value: variable(ref) } : ref;
      if (!test(resolved.value)) usageError(`\`${resolved.written}\` is ${describeValue(resolved.value)}, expected ${expected}`);
      return resolved.value as T;
    },
    usageError,
    runCode: (code) => {
      const inner = leadingCellMagic(code);
      if (inner) {
        throw new UsageError(
          `Cell magics do not stack: %%${spec.name} reads its body as TypeScript, but it starts with \`${inner}\`; ` +
            "put a wrapping magic (%%time, %%timeit) on the first line instead, or split the cell.",
        );
      }
      return services.runCode(code);
    },
    compileCode: (code, options) => services.compileCode(code, options),
    resetNamespace: () => services.resetNamespace(),
  };
}

/** Runs one magic call; returns its value (shown as the cell's result when last). */
export async function runMagic(
  registry: MagicRegistry,
  call: MagicInvocation,
  host: CellHost,
  signal: AbortSignal,
  services: MagicServices,
): Promise<unknown> {
  const prefix = call.invokedAs === "line" ? "%" : "%%";
  const spec = registry.find(call.name, call.invokedAs);
  if (!spec) {
    const other = registry.get(call.name);
    const hint = other
      ? ` (%${other.kind === "cell" ? "%" : ""}${call.name} is a ${other.kind} magic)`
      : ". Use %lsmagic to list the available magics.";
    throw new UsageError(`${call.invokedAs === "line" ? "Line" : "Cell"} magic function \`${prefix}${call.name}\` not found${hint}`);
  }
  if (call.help > 0) {
    host.payload(pagePayload(magicHelp(spec, call.help as 1 | 2)));
    return undefined;
  }
  const args = parseMagicArgs(spec, call.args, call.invokedAs, services.values, call.body);
  return spec.run(createContext(spec, host, signal, services, registry), args);
}
