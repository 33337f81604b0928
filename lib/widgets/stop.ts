/**
 * StopButton: a Button whose press aborts an AbortSignal, for loops that stop at their next
 * step boundary when their signal fires (sl.train, sl.trainModel):
 *
 *   const stop = new sl.widgets.StopButton();
 *   display(stop);
 *   await sl.trainModel(model, { ..., signal: stop.signal });
 */
import { Button, type ButtonOptions } from "./controls";

export class StopButton extends Button {
  private readonly controller = new AbortController();

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
}
