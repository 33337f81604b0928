/**
 * When a SIGINT is safe to send. Node's vm breakOnSigint removes the process's SIGINT
 * listeners before it starts its watchdog and puts them back after stopping it; a SIGINT
 * that lands in those gaps meets the default action and ends the kernel with all its state
 * (more likely on a busy machine, where starting and joining the watchdog thread is slow).
 *
 * So an interrupt that the kernel sends itself (interrupt_request) signals only while cell
 * code runs inside the watchdog, and otherwise goes to the main thread as a message, which
 * reaches awaited work and is checked when synchronous work ends. One Int32 shared by the
 * main thread (which marks running cell code) and the control thread (which interrupts):
 *   0 idle, 1 cell code runs under the watchdog, 2 a SIGINT is on its way.
 */
const GATE = Symbol.for("seqlab.interruptGate");

export const enum GateState {
  Idle = 0,
  InScript = 1,
  SignalSent = 2,
}

export function createInterruptGate(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** Makes the gate reachable from the engine (which knows nothing of the server). */
export function installInterruptGate(gate: Int32Array): void {
  (globalThis as { [GATE]?: Int32Array })[GATE] = gate;
}

export function interruptGate(): Int32Array | undefined {
  return (globalThis as { [GATE]?: Int32Array })[GATE];
}

/** Control thread: true when it may signal now (the gate then says a signal is on its way). */
export function claimSignal(gate: Int32Array): boolean {
  return Atomics.compareExchange(gate, 0, GateState.InScript, GateState.SignalSent) === GateState.InScript;
}

/**
 * Main thread, inside the watchdog: runs `fn` marked as cell code. If a SIGINT was claimed
 * as `fn` ended, waits for it here, where the watchdog turns it into an interrupt, instead
 * of leaving into the gap (at most 2 s, should the signal never come).
 */
export function runMarked<T>(gate: Int32Array | undefined, fn: () => T): T {
  if (!gate) return fn();
  Atomics.store(gate, 0, GateState.InScript);
  try {
    return fn();
  } finally {
    if (Atomics.compareExchange(gate, 0, GateState.InScript, GateState.Idle) === GateState.SignalSent) {
      const until = Date.now() + 2000;
      while (Date.now() < until) {
        // the watchdog ends this loop when the signal arrives
      }
      Atomics.store(gate, 0, GateState.Idle);
    }
  }
}

/** Main thread, outside the watchdog: whatever happened inside, nothing runs now. */
export function markIdle(gate: Int32Array | undefined): void {
  if (gate) Atomics.store(gate, 0, GateState.Idle);
}
