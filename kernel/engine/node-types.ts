/**
 * Node's type declarations (@types/node) in the cells' TypeScript 7 project only once a
 * notebook needs them. They are most of what the project loads: with them TypeScript 7's
 * process held 54 MB after a first cell and took some 210 ms to open; without them 24 MB and
 * 130 ms (importing seqlab and TensorFlow.js does not bring them in). Many notebooks never
 * touch Node's API beyond console and timers, so until then the project declares only those
 * (GLOBALS_WITHOUT_NODE). A cell that reaches for the rest (`process`, `Buffer`, `require`,
 * `import fs from "fs"`, `NodeJS.ReadableStream`) gets "cannot find" errors that name it;
 * the project then loads @types/node and checks the cell again, so the user never sees them.
 */
import { builtinModules } from "module";

/** The file (in the cells' folder) that stands in for @types/node until it is loaded. */
export const GLOBALS_WITHOUT_NODE_FILE = "globals-without-node.d.ts";

/** Console and timers, in @types/node's shapes (a cell checked with these checks with it too). */
export const GLOBALS_WITHOUT_NODE = `declare global {
  interface Console {
    assert(value: any, message?: string, ...optionalParams: any[]): void;
    clear(): void;
    count(label?: string): void;
    countReset(label?: string): void;
    debug(message?: any, ...optionalParams: any[]): void;
    dir(obj: any, options?: object): void;
    error(message?: any, ...optionalParams: any[]): void;
    group(...label: any[]): void;
    groupEnd(): void;
    info(message?: any, ...optionalParams: any[]): void;
    log(message?: any, ...optionalParams: any[]): void;
    table(tabularData: any, properties?: readonly string[]): void;
    time(label?: string): void;
    timeEnd(label?: string): void;
    timeLog(label?: string, ...data: any[]): void;
    trace(message?: any, ...optionalParams: any[]): void;
    warn(message?: any, ...optionalParams: any[]): void;
  }
  var console: Console;
  namespace NodeJS {
    interface Timeout {
      ref(): this;
      unref(): this;
      hasRef(): boolean;
      refresh(): this;
      [Symbol.toPrimitive](): number;
    }
  }
  function setTimeout<TArgs extends any[]>(callback: (...args: TArgs) => void, ms?: number, ...args: TArgs): NodeJS.Timeout;
  function setInterval<TArgs extends any[]>(callback: (...args: TArgs) => void, ms?: number, ...args: TArgs): NodeJS.Timeout;
  function clearTimeout(timeout: NodeJS.Timeout | string | number | undefined): void;
  function clearInterval(timeout: NodeJS.Timeout | string | number | undefined): void;
  function queueMicrotask(callback: () => void): void;
}
export {};
`;

/** Diagnostics that say a name, namespace or module could not be found, with its name quoted first. */
const CANNOT_FIND = new Set([
  2304, // Cannot find name 'x'.
  2552, // Cannot find name 'x'. Did you mean 'y'?
  2580, // Cannot find name 'x'. Do you need to install type definitions for node? (x may be a module of Node's)
  2591, // the same, suggesting tsconfig's types
  2584, // Cannot find name 'x'. Do you need to change your target library?
  2503, // Cannot find namespace 'x'.
  2833, // Cannot find namespace 'x'. Did you mean 'y'?
  2694, // Namespace 'x' has no exported member 'y'.
  2307, // Cannot find module 'x' or its corresponding type declarations.
]);

/**
 * Names @types/node declares as globals: what Node has on globalThis, and CommonJS's own.
 * Taken when the kernel loads this module, before any cell can add globals of its own.
 */
const NODE_GLOBALS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(globalThis), "require", "module", "exports", "__dirname", "__filename", "NodeJS"]);

const builtins = new Set(builtinModules);

/** Whether a diagnostic says the cell wants something only @types/node declares. */
export function wantsNodeTypes(diagnostic: { code: number; text: string }): boolean {
  if (!CANNOT_FIND.has(diagnostic.code)) return false;
  if (diagnostic.code === 2580 || diagnostic.code === 2591) return true; // also given for `import ... from "fs"`
  const name = /'(?:global\.)?([^']+)'/.exec(diagnostic.text)?.[1]; // 'global.NodeJS' for a namespace of `declare global`
  if (name === undefined) return false;
  if (diagnostic.code === 2307) return builtins.has(name.replace(/^node:/, "")) || name.startsWith("node:");
  return NODE_GLOBALS.has(name);
}

/** Whether completing the bare name `word` should offer a global that only @types/node declares. */
export function completesNodeGlobal(word: string, offered: ReadonlySet<string>): boolean {
  for (const name of NODE_GLOBALS) if (name.startsWith(word) && !offered.has(name)) return true;
  return false;
}
