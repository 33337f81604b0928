/**
 * Noticing that whatever started the kernel has gone (a Jupyter server or `seqlab run` that
 * was killed), so that the kernel does not live on as an orphan, as ipykernel's parent poller
 * does. Runs on the control thread, so it works while a cell blocks the main thread.
 */

/** How often the parent is checked (ipykernel polls once a second). */
const POLL_MS = 1000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Why the parent counts as gone, or undefined while it is there. The parent is the process
 * the kernel started under; JPY_PARENT_PID (set by jupyter_client and kernel/jupyter-client.ts)
 * names it too, and is watched on its own when a wrapper (a shell script) sits in between.
 */
export function parentGone(initialPpid: number, namedParent: number | undefined): string | undefined {
  // Unix hands an orphan to init or a subreaper (the ppid changes); Windows keeps the old ppid.
  if (initialPpid > 1 && (process.ppid !== initialPpid || !alive(initialPpid))) return `its parent process ${initialPpid} ended`;
  if (namedParent !== undefined && namedParent !== initialPpid && !alive(namedParent)) return `the process named by JPY_PARENT_PID (${namedParent}) ended`;
  return undefined;
}

/** The JPY_PARENT_PID value, when it names a real process id other than init. */
export function namedParentPid(env: NodeJS.ProcessEnv = process.env): number | undefined {
  // On Windows jupyter_client puts a process handle there, not a pid; Node cannot use it.
  if (process.platform === "win32") return undefined;
  const pid = Number(env.JPY_PARENT_PID);
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

/** Calls `onGone` once when the parent has gone; returns a function that stops watching. */
export function watchParent(onGone: (why: string) => void, namedParent = namedParentPid()): () => void {
  const initialPpid = process.ppid;
  const timer = setInterval(() => {
    const why = parentGone(initialPpid, namedParent);
    if (why === undefined) return;
    clearInterval(timer);
    onGone(why);
  }, POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
