/**
 * The process-wide state every test file starts from, so no file's results depend on which
 * files ran before it: the tfjs backend, the kernels' thread count, the environment
 * variables, the working directory, Math.random, lib/runtime's host hooks, the process
 * listeners for errors and SIGINT, and process output. The shared setup (setup.ts) applies
 * it before the first file and, after each top-level suite, checks that the suite handed it
 * back. A file that needs something else (another backend, more threads) sets it in
 * before() and restores it in after().
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../lib/backend";
import { currentAbortSignal, displayHost, hostIsInteractive, setCurrentAbortSignal, setDisplayHost, setHostInteractive, type DisplayHost } from "../lib/runtime";
import { DEFAULT_MIN_WORK, simdThreads, setSimdThreads } from "../lib/simd";

/** What initBackend picks where tfjs-node is missing; fixed, so the optional install does not change results. */
export const TEST_BACKEND = "wasm";
/** Fixed rather than one per core, so products split the same way on every machine. */
export const TEST_SIMD_THREADS = 2;

export interface TestState {
  backend: string;
  threads: number;
  env: Record<string, string | undefined>;
  cwd: string;
  random: () => number;
  displayHost: DisplayHost | undefined;
  abortSignal: AbortSignal | undefined;
  interactive: boolean | undefined;
  listeners: Record<ListenedEvent, Listener[]>;
  writes: [stdout: unknown, stderr: unknown];
}

/** Events whose listeners decide what an error or Ctrl-C does to the whole process. */
const EVENTS = ["uncaughtException", "unhandledRejection", "SIGINT"] as const;
type ListenedEvent = (typeof EVENTS)[number];
type Listener = (...args: unknown[]) => void;
const listenersOf = (e: ListenedEvent) => process.listeners(e as "SIGINT") as Listener[];

function capture(): TestState {
  return {
    backend: tf.getBackend(),
    threads: simdThreads(),
    env: { ...process.env },
    cwd: process.cwd(),
    random: Math.random,
    displayHost: displayHost(),
    abortSignal: currentAbortSignal(),
    interactive: hostIsInteractive(),
    listeners: Object.fromEntries(EVENTS.map((e) => [e, listenersOf(e)])) as Record<ListenedEvent, Listener[]>,
    writes: [process.stdout.write, process.stderr.write],
  };
}

/** Put the backend and kernel threads to the suite's defaults; returns the whole state to keep. */
export async function applyTestDefaults(): Promise<TestState> {
  await useBackend(TEST_BACKEND);
  // Also resets the smallest product worth splitting, which has no getter to check.
  setSimdThreads(TEST_SIMD_THREADS, DEFAULT_MIN_WORK);
  return capture();
}

/** What differs now from `want`, in words ([] when nothing does). */
function differences(want: TestState): string[] {
  const now = capture();
  const out: string[] = [];
  if (now.backend !== want.backend) out.push(`the tfjs backend is "${now.backend}", not "${want.backend}"`);
  if (now.threads !== want.threads) out.push(`the kernels run on ${now.threads} thread(s), not ${want.threads}`);
  for (const key of new Set([...Object.keys(want.env), ...Object.keys(now.env)])) {
    if (now.env[key] !== want.env[key]) out.push(`process.env.${key} is ${JSON.stringify(now.env[key])}, not ${JSON.stringify(want.env[key])}`);
  }
  if (now.cwd !== want.cwd) out.push(`the working directory is ${now.cwd}, not ${want.cwd}`);
  if (now.random !== want.random) out.push("Math.random was replaced");
  if (now.displayHost !== want.displayHost) out.push("a display host is still installed (lib/runtime setDisplayHost)");
  if (now.abortSignal !== want.abortSignal) out.push("an abort signal is still installed (lib/runtime setCurrentAbortSignal)");
  if (now.interactive !== want.interactive) out.push(`the host says interactive=${now.interactive} (lib/runtime setHostInteractive)`);
  for (const e of EVENTS) {
    const added = now.listeners[e].filter((l) => !want.listeners[e].includes(l)).length;
    const removed = want.listeners[e].filter((l) => !now.listeners[e].includes(l)).length;
    if (added || removed) out.push(`process "${e}" listeners: ${added} added, ${removed} removed`);
  }
  if (now.writes[0] !== want.writes[0] || now.writes[1] !== want.writes[1]) out.push("process.stdout/stderr.write is still replaced");
  return out;
}

/** Put everything in `want` back. */
async function restore(want: TestState): Promise<void> {
  await useBackend(want.backend);
  setSimdThreads(want.threads, DEFAULT_MIN_WORK);
  for (const key of Object.keys(process.env)) if (!(key in want.env)) delete process.env[key];
  Object.assign(process.env, want.env);
  process.chdir(want.cwd);
  Math.random = want.random;
  setDisplayHost(want.displayHost);
  setCurrentAbortSignal(want.abortSignal);
  setHostInteractive(want.interactive);
  for (const e of EVENTS) {
    for (const l of listenersOf(e)) if (!want.listeners[e].includes(l)) process.off(e, l);
    for (const l of want.listeners[e]) if (!listenersOf(e).includes(l)) process.on(e, l);
  }
  [process.stdout.write, process.stderr.write] = want.writes as [typeof process.stdout.write, typeof process.stderr.write];
}

/**
 * Fail a suite that leaves the shared state changed, saying what it left; either way put the
 * state back, so the files after it start from the defaults.
 */
export async function checkHandedBack(want: TestState, suite: string): Promise<void> {
  const changed = differences(want);
  await restore(want);
  if (!changed.length) return;
  throw new Error(
    `"${suite}" left the shared test state changed: ${changed.join("; ")}. ` +
      "Restore what a test changes in after()/afterEach() (see test/environment.ts).",
  );
}
