/**
 * The notebook's variables. tslab compiles each cell into a module whose exports are the
 * cell's declarations; all cells share one exports object, so later cells see earlier
 * variables. Named imports arrive as getters (defineProperty); we store their values so
 * that a later cell can assign the name again.
 */
export type Namespace = Record<string, unknown>;

export interface NamespaceStore {
  /** The object compiled cells use as `exports`. */
  readonly exports: Namespace;
  /** The same variables, for magics and inspection (plain reads and writes). */
  readonly values: Namespace;
  clear(): void;
}

export function createNamespace(): NamespaceStore {
  const values: Namespace = Object.create(null);
  const exports = new Proxy(values, {
    // tslab rewrites names declared before the cell to `exports.name`; the cell globals
    // (display, input...) are declared that way too, so names not defined by cells fall
    // back to the global object.
    get(target, prop) {
      if (prop in target) return (target as Record<string | symbol, unknown>)[prop];
      return (globalThis as Record<string | symbol, unknown>)[prop];
    },
    defineProperty(target, prop, attrs) {
      if (prop === "__esModule") return true;
      (target as Record<string | symbol, unknown>)[prop] = attrs.get ? attrs.get() : attrs.value;
      return true;
    },
  });
  return {
    exports,
    values,
    clear() {
      for (const name of Object.keys(values)) delete values[name];
    },
  };
}
