/**
 * A worker thread holding one type checker (TypeScript and tslab's converter, see
 * toolchain.ts). Loading a checker takes from a third of a second (standard library only)
 * to over a second (every @types package) of synchronous work: in a thread of its own it
 * overlaps the kernel's own start-up and never stalls the kernel's main thread, which keeps
 * answering messages and running cells meanwhile. Requests come synchronously (see
 * checker-client.ts): each answer goes on the request port, then the shared flag wakes the
 * caller.
 */
import fs from "fs";
import os from "os";
import v8 from "v8";
import vm from "vm";
import { parentPort, workerData, type MessagePort } from "worker_threads";
import type { CompletionInfo } from "tslab/dist/converter";
import { loadToolchain, type GlobalTypes, type Toolchain } from "./toolchain";
import { saveCodeCaches } from "./code-cache";
import { useCellPackages } from "./packages";
import { expandShorthandProperties } from "./shorthand";
import { awaitsAtTopLevel } from "./toplevel-await";
import type { CheckedCell, CheckerRequest, CheckerAnswer } from "./checker-protocol";
import { ANSWERS, ENDED } from "./checker-protocol";

export interface ThreadData {
  rootDir: string;
  globalTypes: GlobalTypes;
  requests: MessagePort;
  flag: SharedArrayBuffer;
  /** A cell to convert, and forget, once loaded (see TypeCheckers). */
  warmUp?: { prevDecl: string; source: string };
}

const { rootDir, globalTypes, requests, flag: flagBuffer, warmUp } = workerData as ThreadData;
const flag = new Int32Array(flagBuffer);

function wake(): void {
  Atomics.add(flag, ANSWERS, 1);
  Atomics.notify(flag, ANSWERS);
}

// A caller blocked on this thread must not wait forever if it ends.
process.on("exit", () => {
  Atomics.store(flag, ENDED, 1);
  wake();
});

/**
 * Each cell's check leaves a few MB of garbage (a new program and type checker), which V8
 * collects only when the heap has grown well past what is live: hundreds of MB over a
 * notebook. So this thread collects itself, off the kernel's main thread: once it has been
 * idle a moment, and at once when the garbage since the last collection passes
 * GARBAGE_LIMIT_MB (cells run back to back). (`gc` comes from a context made after
 * --expose-gc is set, so no other context sees it.)
 */
v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;
const COLLECT_AFTER_IDLE_MS = 1000;
const GARBAGE_LIMIT_MB = 64;
let liveAfterCollection = 0;
let collectTimer: NodeJS.Timeout | undefined;

function collect(): void {
  if (collectTimer) clearTimeout(collectTimer);
  collectTimer = undefined;
  collectGarbage();
  liveAfterCollection = v8.getHeapStatistics().used_heap_size;
}

function collectWhenIdle(): void {
  if (collectTimer) clearTimeout(collectTimer);
  collectTimer = setTimeout(collect, COLLECT_AFTER_IDLE_MS);
}

function collectSoon(): void {
  if (v8.getHeapStatistics().used_heap_size - liveAfterCollection > GARBAGE_LIMIT_MB * 2 ** 20) collect();
  else collectWhenIdle();
}

function handlers(toolchain: Toolchain) {
  const { ts, converter } = toolchain;
  return {
    convert(prevDecl: string, source: string): CheckedCell {
      const converted = converter.convert(prevDecl, expandShorthandProperties(ts, source));
      const output = converted.output;
      return {
        output,
        declOutput: converted.declOutput,
        diagnostics: converted.diagnostics,
        sideOutputs: converted.sideOutputs ?? [],
        lastExpressionVar: converted.lastExpressionVar,
        hasToplevelAwait: output !== undefined && (Boolean(converted.hasToplevelAwait) || awaitsAtTopLevel(ts, output)),
        maps: output !== undefined ? toolchain.mapsFor(output) : undefined,
      };
    },
    complete(prevDecl: string, source: string, cursor: number): CompletionInfo {
      const { start, end, candidates } = converter.complete(prevDecl, source, cursor);
      return { start, end, candidates }; // not `original`: the whole of TypeScript's answer
    },
    inspect: (prevDecl: string, source: string, cursor: number) => converter.inspect(prevDecl, source, cursor),
    isCompleteCode: (source: string) => toolchain.isCompleteCode(source),
    hasSyntaxErrors(source: string): boolean {
      const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
      return ((file as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? []).length > 0;
    },
    importsModules: (source: string) => ts.preProcessFile(source, true, true).importedFiles.length > 0,
    /** This thread's JS heap in use, in bytes (it collects its own garbage, see collectSoon). */
    heapUsed: () => v8.getHeapStatistics().used_heap_size,
    transpileExpression: (expr: string) => ts.transpile(`(${expr})`, { target: ts.ScriptTarget.ES2022 }).trim().replace(/;$/, ""),
  };
}

/**
 * Loading and background checks yield the CPU to the kernel's main thread, which runs the
 * cells: this thread runs at a lower priority (Linux names threads for setpriority by their
 * id; elsewhere it keeps the process's). A cell waiting on this thread leaves main idle.
 */
try {
  const threadId = Number(/task\/(\d+)$/.exec(fs.readlinkSync("/proc/thread-self"))?.[1]);
  if (threadId > 0) os.setPriority(threadId, os.getPriority(threadId) + 5);
} catch {
  // not Linux, or not allowed: same priority as the process
}

try {
  useCellPackages(rootDir);
  const toolchain = loadToolchain(rootDir, globalTypes);
  const serve = handlers(toolchain) as unknown as Record<string, (...args: unknown[]) => unknown>;
  requests.on("message", ({ id, method, args }: CheckerRequest) => {
    let answer: CheckerAnswer;
    try {
      answer = { id, value: serve[method](...args) };
    } catch (err) {
      const e = err as Error;
      answer = { id, error: { message: e?.message ?? String(err), stack: e?.stack } };
    }
    requests.postMessage(answer);
    wake();
    if (method === "convert") saveCodeCaches(); // after the first cell's check; a no-op after that
    collectSoon();
  });
  // Before saying it has loaded, so the checker in use meanwhile (the quick one) keeps serving.
  if (warmUp) {
    try {
      serve.convert(warmUp.prevDecl, warmUp.source);
      saveCodeCaches();
    } catch {
      // only a head start: the cell that needs it reports what fails
    }
  }
  parentPort?.postMessage({ loaded: true });
  // Loading leaves garbage too; a cell that waits for this checker comes first.
  liveAfterCollection = v8.getHeapStatistics().used_heap_size;
  collectWhenIdle();
} catch (err) {
  parentPort?.postMessage({ loaded: false, message: (err as Error)?.message ?? String(err), stack: (err as Error)?.stack });
}
