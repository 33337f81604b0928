/**
 * Starts the control thread (control-thread.ts) ahead of the server. A worker takes some
 * 80 ms of CPU to boot and load its modules; begun first thing in a kernel's start, that
 * overlaps the main thread loading the engine instead of following it. The server hands the
 * thread its data (the connection, kernel_info) once it has them.
 */
import path from "path";
import { Worker } from "worker_threads";
import type { FromControlThread } from "./control-thread";

interface Launched {
  worker: Worker;
  /** Settles once its modules have loaded, or it has ended. */
  loaded: Promise<void>;
  error?: Error;
  taken?: boolean;
}

let latest: Launched | undefined;

function launch(): Launched {
  const worker = new Worker(path.join(__dirname, "control-thread.js"));
  const launched: Launched = {
    worker,
    loaded: new Promise<void>((resolve) => {
      worker.on("message", (m: FromControlThread) => m.type === "loaded" && resolve());
      worker.once("exit", () => resolve());
    }),
  };
  // Until the server takes it: a start that fails before the server binds must not keep the
  // process alive, and its error is the server's to report.
  worker.unref();
  worker.once("error", (err) => (launched.error ??= err));
  latest = launched;
  return launched;
}

/** Begins the control thread's start now; the server takes it (takeControlThread). */
export function launchControlThread(): void {
  if (!latest || latest.taken) launch();
}

/** The control thread begun by launchControlThread, or a new one. */
export function takeControlThread(): Worker {
  const launched = latest && !latest.taken ? latest : launch();
  launched.taken = true;
  if (launched.error) throw launched.error;
  launched.worker.ref();
  return launched.worker;
}

/**
 * Ends a control thread the server has not taken (a kernel that failed before it started),
 * once the thread has loaded its modules (at most `timeoutMs`): a process that exits while
 * the thread loads ZeroMQ's native addon aborts (the addon throws as it is torn down).
 */
export async function endUntakenControlThread(timeoutMs = 5000): Promise<void> {
  if (!latest || latest.taken) return;
  const { worker, loaded } = latest;
  worker.ref(); // the process waits for it
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([loaded, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
  await worker.terminate();
}
