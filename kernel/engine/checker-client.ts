/**
 * The kernel's side of a type checker thread (checker-thread.ts). Loading waits for the
 * thread asynchronously; the calls afterwards are synchronous, as tslab's converter is:
 * the main thread posts a request and sleeps on a shared flag until the answer is on the
 * port (a round trip costs well under a millisecond). TypeScript itself never loads on the
 * main thread.
 */
import path from "path";
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "worker_threads";
import type { CompletionInfo, IsCompleteResult } from "tslab/dist/converter";
import type { QuickInfo } from "@tslab/typescript-for-tslab";
import type { GlobalTypes } from "./toolchain";
import { ANSWERS, ENDED, FLAG_SLOTS, type CheckedCell, type CheckerAnswer } from "./checker-protocol";
import type { ThreadData } from "./checker-thread";

/** What compiling a cell needs: a TypeScript 5 checker's thread, or the light compiler (light-compiler.ts). */
export type CellCompiler = Pick<CellChecker, "convert" | "isCompleteCode" | "hasSyntaxErrors" | "transpileExpression">;

const ENDED_MESSAGE = "the TypeScript checker thread ended unexpectedly; run the cell again to start a new one";

export class CellChecker {
  private nextId = 0;
  private closed = false;
  private endedOnItsOwn = false;

  private constructor(
    readonly globalTypes: GlobalTypes,
    private readonly worker: Worker,
    private readonly requests: MessagePort,
    private readonly flag: Int32Array,
  ) {}

  /**
   * Starts a thread and resolves once its checker has loaded. `warmUp`: a cell the thread
   * converts once loaded, so that the declarations it imports are parsed before a cell needs them.
   */
  static start(rootDir: string, globalTypes: GlobalTypes, warmUp?: ThreadData["warmUp"]): Promise<CellChecker> {
    const { port1: requests, port2: theirs } = new MessageChannel();
    const flagBuffer = new SharedArrayBuffer(FLAG_SLOTS * Int32Array.BYTES_PER_ELEMENT);
    const workerData: ThreadData = { rootDir, globalTypes, requests: theirs, flag: flagBuffer, warmUp };
    const worker = new Worker(path.join(__dirname, "checker-thread.js"), {
      workerData,
      transferList: [theirs],
    });
    requests.unref();
    return new Promise<CellChecker>((resolve, reject) => {
      const fail = (err: Error) => {
        void worker.terminate();
        reject(err);
      };
      const ended = (code: number) => fail(new Error(`the TypeScript checker thread ended while loading (exit code ${code})`));
      worker.once("message", (m: { loaded: boolean; message?: string; stack?: string }) => {
        worker.off("error", fail).off("exit", ended);
        if (!m.loaded) return fail(Object.assign(new Error(`the TypeScript checker did not load: ${m.message}`), { stack: m.stack }));
        const checker = new CellChecker(globalTypes, worker, requests, new Int32Array(flagBuffer));
        // A thread that fails while a call waits on it fails that call (see call); one that
        // ends between calls is seen here.
        worker.on("error", () => undefined);
        worker.once("exit", () => checker.threadEnded());
        worker.unref(); // an idle checker does not keep the process alive
        resolve(checker);
      });
      worker.once("error", fail).once("exit", ended);
    });
  }

  private threadEnded(): void {
    if (!this.closed) this.endedOnItsOwn = true;
    this.closed = true;
  }

  private call<T>(method: string, ...args: unknown[]): T {
    if (this.endedOnItsOwn) throw new Error(ENDED_MESSAGE);
    if (this.closed) throw new Error("this type checker was closed");
    const id = ++this.nextId;
    let answers = Atomics.load(this.flag, ANSWERS);
    this.requests.postMessage({ id, method, args });
    for (;;) {
      const received = receiveMessageOnPort(this.requests);
      if (received) {
        const answer = received.message as CheckerAnswer;
        if (answer.id !== id) continue;
        if ("error" in answer) throw Object.assign(new Error(answer.error.message), { stack: answer.error.stack });
        return answer.value as T;
      }
      if (Atomics.load(this.flag, ENDED) === 1) {
        this.threadEnded();
        throw new Error(ENDED_MESSAGE);
      }
      Atomics.wait(this.flag, ANSWERS, answers);
      answers = Atomics.load(this.flag, ANSWERS);
    }
  }

  /** Whether this checker was closed or its thread has ended. */
  get ended(): boolean {
    return this.closed;
  }

  /** Type-checks a cell after the declarations of earlier cells and compiles it. */
  convert(prevDecl: string, source: string): CheckedCell {
    return this.call("convert", prevDecl, source);
  }

  complete(prevDecl: string, source: string, cursor: number): CompletionInfo {
    return this.call("complete", prevDecl, source, cursor);
  }

  inspect(prevDecl: string, source: string, cursor: number): QuickInfo | undefined {
    return this.call("inspect", prevDecl, source, cursor);
  }

  /** tslab's completeness check (unclosed brackets etc.). */
  isCompleteCode(source: string): IsCompleteResult {
    return this.call("isCompleteCode", source);
  }

  hasSyntaxErrors(source: string): boolean {
    return this.call("hasSyntaxErrors", source);
  }

  /** Whether the code imports or requires anything. */
  importsModules(source: string): boolean {
    return this.call("importsModules", source);
  }

  /** A TypeScript expression as JavaScript. */
  transpileExpression(expr: string): string {
    return this.call("transpileExpression", expr);
  }

  /** The checker thread's JS heap in use, in bytes. */
  heapUsed(): number {
    return this.call("heapUsed");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.requests.close();
    await this.worker.terminate();
  }
}
