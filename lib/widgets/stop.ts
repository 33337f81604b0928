/**
 * StopButton: a Button whose press aborts an AbortSignal, for loops that stop at their next
 * step boundary when their signal fires (sl.train, sl.trainModel):
 *
 *   const stop = new sl.widgets.StopButton();
 *   display(stop);
 *   await sl.trainModel(model, { ..., signal: stop.signal });
 */
import { DISPLAY, displayHost, type DisplaySlot } from "../runtime";
import { Button, type ButtonOptions } from "./controls";

/** What the output shows once the button is gone: nothing. */
const EMPTY = { [DISPLAY]: () => ({ "text/plain": "" }) };

export class StopButton extends Button {
  private readonly controller = new AbortController();
  private slot: DisplaySlot | undefined;

  constructor(options: ButtonOptions = {}) {
    super({ description: "Stop", icon: "stop", button_style: "danger", tooltip: "Stop at the end of the current step", ...options });
    this.onClick(() => {
      if (this.pressed) return;
      this.controller.abort(new Error("stopped with the Stop button"));
      // Pressed once is enough: the view shows that the stop is on its way.
      this.disabled = true;
      this.description = "Stopping…";
    });
  }

  /** Aborted when the button is pressed. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** A signal that aborts when the button is pressed or `other` aborts, with the first one's reason. */
  signalWith(other: AbortSignal): AbortSignal {
    const either = new AbortController();
    for (const signal of [other, this.signal]) {
      if (signal.aborted) either.abort(signal.reason);
      else signal.addEventListener("abort", () => either.abort(signal.reason), { once: true });
    }
    return either.signal;
  }

  get pressed(): boolean {
    return this.controller.signal.aborted;
  }

  /** Shows the button in the running cell's output (through lib/runtime's display host). */
  show(): void {
    this.slot = displayHost()?.display(this);
  }

  /** Closes the model and empties the output show() made, so a saved notebook keeps no view of a closed model. */
  close(): void {
    super.close();
    this.slot?.update(EMPTY);
    this.slot = undefined;
  }
}
