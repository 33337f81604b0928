/**
 * Live views for long loops: a progress bar and a loss plot that redraw in place through the
 * host's display (lib/runtime.ts) at a bounded rate, and a compact stderr line outside a
 * notebook. Redraws happen at most once per interval, and always once at finish(), so the
 * last view holds the final values.
 */
import { DISPLAY, DisplayHost, DisplaySlot, MimeBundle, displayHost } from "../runtime";
import { Figure, PLOTLY_MIME } from "./figure";
import { escapeHtml, formatCount, formatDuration, formatNumber } from "./format";
import { ema, lossFigure } from "./loss";
import { PlotlyLoader, plotlyInjected, plotlyJsSource } from "./plotly";
import { Clock, Throttle, systemClock } from "./throttle";

export interface LiveOptions {
  /** Least time between redraws. Default 250 ms. */
  intervalMs?: number;
  /** Where to draw; default the host installed when the view first draws; null for stderr. */
  host?: DisplayHost | null;
  /** Outside a notebook: where the compact line goes. Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Milliseconds clock (tests pass a fake one). */
  clock?: Clock;
}

/** Draws a Displayable either into a host slot or as a line on a stream, throttled. */
class LiveOutput {
  private readonly throttle: Throttle;
  private readonly lineThrottle: Throttle;
  private slot: DisplaySlot | undefined;
  private host: DisplayHost | null | undefined;
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  private trailing: ReturnType<typeof setTimeout> | undefined;
  /** How many times the view was drawn (display or update). */
  draws = 0;

  constructor(
    private readonly view: LiveView,
    options: LiveOptions,
  ) {
    const clock = options.clock ?? systemClock;
    this.throttle = new Throttle(options.intervalMs ?? 250, clock);
    this.stream = options.stream ?? process.stderr;
    // A log file or CI output gets a new line at most every 2 s; a terminal redraws in place.
    this.lineThrottle = this.stream.isTTY ? this.throttle : new Throttle(Math.max(options.intervalMs ?? 250, 2000), clock);
    this.host = options.host;
  }

  now(): number {
    return this.throttle.now();
  }

  /**
   * Redraw if the interval has passed (or always, when `force`). A change that arrives too
   * soon is drawn when the interval ends, so the view never stays behind even if no further
   * change (or finish) comes, e.g. when an error stops the loop.
   */
  changed(force = false): void {
    if (this.host === undefined) this.host = displayHost() ?? null;
    if (!this.host) {
      this.writeLine(force);
      return;
    }
    if (force || this.throttle.ready()) {
      if (force) this.throttle.mark();
      this.cancelTrailing();
      this.draw(this.host);
      return;
    }
    if (!this.trailing) {
      const host = this.host;
      this.trailing = setTimeout(() => {
        this.trailing = undefined;
        this.throttle.mark();
        this.draw(host);
      }, Math.max(1, this.throttle.remaining()));
      // A pending redraw must not keep a script alive.
      this.trailing.unref?.();
    }
  }

  private draw(host: DisplayHost): void {
    this.draws++;
    if (!this.slot) {
      this.view.beforeFirstDisplay(host);
      this.slot = host.display(this.view);
    } else {
      this.slot.update(this.view);
    }
  }

  private cancelTrailing(): void {
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = undefined;
  }

  private writeLine(force: boolean): void {
    if (!force && !this.lineThrottle.ready()) return;
    this.draws++;
    const text = this.view.line();
    this.stream.write(this.stream.isTTY ? `\r${text}\x1b[K${force ? "\n" : ""}` : `${text}\n`);
  }

  /** The final draw, always made so the last view holds the final values. */
  finish(): void {
    this.changed(true);
  }
}

/** What the live views share: a throttled output, one final draw, a draw count. */
abstract class LiveView {
  protected readonly output: LiveOutput;
  protected finished = false;

  constructor(options: LiveOptions) {
    this.output = new LiveOutput(this, options);
  }

  /** Called once, just before the view first goes into a host's output. */
  beforeFirstDisplay(_host: DisplayHost): void {}

  /** Final redraw with the last values (once; later calls do nothing). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.output.finish();
  }

  /** How many times the view was drawn. */
  get draws(): number {
    return this.output.draws;
  }

  /** The compact one-line view (stderr outside a notebook, text/plain inside). */
  abstract line(): string;
  abstract [DISPLAY](): MimeBundle;
}

export interface ProgressOptions extends LiveOptions {
  /** Number of units the loop will do (steps, KB...); may also be given with update(). */
  total?: number;
  label?: string;
  /** What one unit is called. Default "step". */
  unit?: string;
}

export interface ProgressInfo {
  /** Update the total when it becomes known (e.g. from Content-Length). */
  total?: number;
  /** Metrics to show, e.g. { loss: 1.23 }. */
  [metric: string]: number | undefined;
}

export interface ProgressState {
  done: number;
  total: number | undefined;
  /** Units per second since the first update. */
  rate: number;
  /** Seconds left at that rate (NaN without a total). */
  secondsLeft: number;
  metrics: Record<string, number>;
  finished: boolean;
}

export class ProgressBar extends LiveView {
  private readonly label: string;
  private readonly unit: string;
  private total: number | undefined;
  private done = 0;
  private startDone = 0;
  private startTime: number | undefined;
  private lastTime: number | undefined;
  private metrics: Record<string, number> = {};

  constructor(options: ProgressOptions = {}) {
    super(options);
    this.total = options.total;
    this.label = options.label ?? "";
    this.unit = options.unit ?? "step";
  }

  /** Record progress; redraws at most once per interval. */
  update(done: number, info: ProgressInfo = {}): void {
    if (!Number.isFinite(done)) throw new RangeError(`ProgressBar.update: done must be a finite number, got ${done}`);
    const now = this.output.now();
    if (this.startTime === undefined) {
      this.startTime = now;
      this.startDone = done;
    }
    this.lastTime = now;
    this.done = done;
    const { total, ...metrics } = info;
    if (total !== undefined) this.total = total;
    for (const [k, v] of Object.entries(metrics)) if (typeof v === "number") this.metrics[k] = v;
    this.output.changed();
  }

  state(): ProgressState {
    const seconds = this.startTime === undefined || this.lastTime === undefined ? 0 : (this.lastTime - this.startTime) / 1000;
    const rate = seconds > 0 ? (this.done - this.startDone) / seconds : 0;
    const secondsLeft = this.total === undefined ? NaN : rate > 0 ? Math.max(0, this.total - this.done) / rate : NaN;
    return { done: this.done, total: this.total, rate, secondsLeft, metrics: { ...this.metrics }, finished: this.finished };
  }

  private parts(): string[] {
    const s = this.state();
    const count = s.total === undefined ? `${formatCount(s.done)} ${this.unit}` : `${formatCount(s.done)}/${formatCount(s.total)} ${this.unit}`;
    const parts = [count];
    for (const [k, v] of Object.entries(s.metrics)) parts.push(`${k} ${formatNumber(v)}`);
    if (s.rate > 0) parts.push(`${formatNumber(s.rate, 3)} ${this.unit}/s`);
    if (s.finished) {
      const elapsed = this.startTime === undefined || this.lastTime === undefined ? 0 : (this.lastTime - this.startTime) / 1000;
      parts.push(`done in ${formatDuration(elapsed)}`);
    } else if (Number.isFinite(s.secondsLeft)) {
      parts.push(`${formatDuration(s.secondsLeft)} left`);
    }
    return parts;
  }

  /** The compact one-line view. */
  line(): string {
    const s = this.state();
    const width = 20;
    const frac = s.total ? Math.min(1, Math.max(0, s.done / s.total)) : 0;
    const bar = s.total ? `[${"#".repeat(Math.round(frac * width)).padEnd(width, ".")}] ` : "";
    return `${this.label ? `${this.label} ` : ""}${bar}${this.parts().join(" · ")}`;
  }

  [DISPLAY](): MimeBundle {
    const s = this.state();
    const max = s.total ?? 0;
    const progress = s.total
      ? `<progress value="${Math.min(s.done, max)}" max="${max}" style="width:16em;vertical-align:middle"></progress>`
      : `<progress style="width:16em;vertical-align:middle"></progress>`;
    const label = this.label ? `<b>${escapeHtml(this.label)}</b> ` : "";
    return {
      "text/plain": this.line(),
      "text/html":
        `<div class="seqlab-progress" style="font-family:monospace;white-space:nowrap">` +
        `${label}${progress} ${escapeHtml(this.parts().join(" · "))}</div>`,
    };
  }
}

export interface LiveLossOptions extends LiveOptions {
  title?: string;
  /** EMA smoothing shown with the raw loss. Default 0.9. */
  smoothing?: number;
}

/** A loss curve that grows while training runs, redrawn in place at a bounded rate. */
export class LiveLossPlot extends LiveView {
  readonly steps: number[] = [];
  readonly loss: number[] = [];
  /** Set once plotly.js went into its own output; the plot's HTML then never carries it. */
  private loaderShown = false;

  constructor(private readonly options: LiveLossOptions = {}) {
    super(options);
  }

  /** plotly.js goes into its own output first, so redrawing the plot never drops it. */
  override beforeFirstDisplay(host: DisplayHost): void {
    if (!plotlyInjected()) host.display(new PlotlyLoader());
    this.loaderShown = true;
  }

  /** Add one point (step number, loss value). */
  push(step: number, loss: number): void {
    if (typeof step !== "number" || typeof loss !== "number") {
      throw new TypeError(`LiveLossPlot.push(step, loss) takes two numbers, got ${typeof step} and ${typeof loss}`);
    }
    this.steps.push(step);
    this.loss.push(loss);
    this.output.changed();
  }

  figure(): Figure {
    return lossFigure({ steps: this.steps, loss: this.loss }, { smoothing: this.options.smoothing, title: this.options.title });
  }

  line(): string {
    const n = this.loss.length;
    if (n === 0) return "loss: no steps yet";
    const smooth = ema(this.loss, this.options.smoothing ?? 0.9);
    return `step ${this.steps[n - 1]} loss ${formatNumber(this.loss[n - 1])} (smoothed ${formatNumber(smooth[n - 1])})`;
  }

  [DISPLAY](): MimeBundle {
    const fig = this.figure();
    const bundle: MimeBundle = this.loaderShown ? { ...fig[DISPLAY](), "text/html": fig.toHTML({ includePlotly: false }) } : fig[DISPLAY]();
    // JupyterLab's plotly renderer (plotly 7, also in Notebook 7) draws a figure once and
    // ignores later updates of the same output (plotly/plotly.py#3053). So while training
    // runs the plot travels as HTML (plotly.js, interactive, redrawn on every update); the
    // final draw carries the plotly JSON too, for frontends that render it natively.
    // Where the frontend has its own plotly (no bundle in the outputs), the JSON is all it has.
    if (!this.finished && plotlyJsSource() === "inline") delete bundle[PLOTLY_MIME];
    return bundle;
  }
}
