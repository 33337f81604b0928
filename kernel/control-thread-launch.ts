/**
 * Starts the control thread (control-thread.ts) ahead of the server. A worker takes some
 * 80 ms of CPU to boot and load its modules; begun first thing in a kernel's start, that
 * overlaps the main thread loading the engine instead of following it. The server hands the
 * thread its data (the connection, kernel_info) once it has them.
 */
import path from "path";
import { Worker } from "worker_threads";

let early: { worker: Worker; error?: Error } | undefined;

function launch(): { worker: Worker; error?: Error } {
  const started: { worker: Worker; error?: Error } = { worker: new Worker(path.join(__dirname, "control-thread.js")) };
  // Until the server takes it: a start that fails before the server binds must not keep the
  // process alive, and its error is the server's to report.
  started.worker.unref();
  started.worker.once("error", (err) => (started.error ??= err));
  return started;
}

/** Begins the control thread's start now; the server takes it (takeControlThread). */
export function launchControlThread(): void {
  early ??= launch();
}

/** The control thread begun by launchControlThread, or a new one. */
export function takeControlThread(): Worker {
  const { worker, error } = early ?? launch();
  early = undefined;
  if (error) throw error;
  worker.ref();
  return worker;
}
