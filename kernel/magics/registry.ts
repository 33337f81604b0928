/**
 * The magic registry. Built-in magics, sequence-model magics (kernel/magics/sequence.ts)
 * and magics users define in a cell all register here with `registerMagic(spec)`.
 *
 * lib/ must not import kernel/, so the registry is also reachable as
 * `globalThis[Symbol.for("seqlab.registerMagic")]`, a function taking the same spec.
 */
import type { MagicKind, MagicRegistryView, MagicSpec } from "./types";

const NAME = /^[A-Za-z_][\w-]*$/;
const KINDS: MagicKind[] = ["line", "cell", "both"];
const OPTION_TYPES = ["string", "number", "boolean"];

export const REGISTER_MAGIC = Symbol.for("seqlab.registerMagic");

/** Checks a spec with messages that say what to fix. */
export function validateSpec(spec: MagicSpec): void {
  const where = `registerMagic(${spec && typeof spec === "object" && typeof spec.name === "string" ? JSON.stringify(spec.name) : "..."})`;
  if (!spec || typeof spec !== "object") throw new TypeError("registerMagic expects an object { name, kind, usage, help, run }");
  if (typeof spec.name !== "string" || !NAME.test(spec.name)) {
    throw new TypeError(`${where}: name must be letters, digits, _ or - (starting with a letter or _), without the %`);
  }
  if (!KINDS.includes(spec.kind)) throw new TypeError(`${where}: kind must be "line", "cell" or "both", got ${JSON.stringify(spec.kind)}`);
  if (typeof spec.run !== "function") throw new TypeError(`${where}: run must be a function (ctx, args) => value`);
  if (typeof spec.arguments !== "string" && (typeof spec.usage !== "string" || spec.usage.trim() === "")) {
    throw new TypeError(`${where}: give arguments (what follows the options, such as "ARG"; the usage line is made from them) or a usage line such as "%${spec.name} [-n N] ARG"`);
  }
  if (typeof spec.help !== "string") throw new TypeError(`${where}: help must be a string describing what the magic does`);
  if (spec.args !== undefined && !["words", "code", "raw"].includes(spec.args)) {
    throw new TypeError(`${where}: args must be "words", "code" or "raw"`);
  }
  const shorts = new Set<string>();
  for (const [name, option] of Object.entries(spec.options ?? {})) {
    if (!NAME.test(name)) throw new TypeError(`${where}: option name ${JSON.stringify(name)} is not a valid option name`);
    if (!option || !OPTION_TYPES.includes(option.type)) throw new TypeError(`${where}: option ${name} needs type "string", "number" or "boolean"`);
    if (option.short !== undefined) {
      if (!/^[A-Za-z]$/.test(option.short)) throw new TypeError(`${where}: option ${name}: short must be one letter`);
      if (shorts.has(option.short)) throw new TypeError(`${where}: two options use -${option.short}`);
      shorts.add(option.short);
    }
  }
}

export class MagicRegistry implements MagicRegistryView {
  private readonly magics = new Map<string, MagicSpec>();

  /** Adds a magic, replacing one of the same name (as redefining in IPython does). */
  register(spec: MagicSpec): MagicSpec {
    validateSpec(spec);
    const frozen = Object.freeze({ ...spec, options: Object.freeze({ ...(spec.options ?? {}) }) });
    this.magics.set(spec.name, frozen);
    return frozen;
  }

  unregister(name: string): boolean {
    return this.magics.delete(name);
  }

  get(name: string): MagicSpec | undefined {
    return this.magics.get(name);
  }

  /** A magic usable as a line magic (%name) or cell magic (%%name). */
  find(name: string, as: "line" | "cell"): MagicSpec | undefined {
    const spec = this.magics.get(name);
    if (!spec) return undefined;
    return spec.kind === "both" || spec.kind === as ? spec : undefined;
  }

  list(): MagicSpec[] {
    return [...this.magics.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  lineNames(): string[] {
    return this.list().filter((m) => m.kind !== "cell").map((m) => m.name);
  }

  cellNames(): string[] {
    return this.list().filter((m) => m.kind !== "line").map((m) => m.name);
  }
}

/** The process-wide registry the engine uses. */
export const magicRegistry = new MagicRegistry();

/** Registers a magic in the process-wide registry. */
export function registerMagic(spec: MagicSpec): MagicSpec {
  return magicRegistry.register(spec);
}

(globalThis as Record<symbol, unknown>)[REGISTER_MAGIC] = registerMagic;
