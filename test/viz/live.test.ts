import { expect } from "chai";
import { LiveLossPlot, PLOTLY_MIME, ProgressBar, plotlyInjected, resetPlotlyInjection, setPlotlyJsSource } from "../../lib/viz";
import { DISPLAY, DisplayHost, MimeBundle, isDisplayable } from "../../lib/runtime";

/** A display host that records what was shown and every in-place update. */
function fakeHost() {
  const slots: { first: unknown; updates: MimeBundle[] }[] = [];
  const host: DisplayHost = {
    display(value) {
      const slot = { first: value, updates: [] as MimeBundle[] };
      slots.push(slot);
      return {
        update(v: unknown) {
          // Render now, as a kernel would when it sends update_display_data.
          slot.updates.push(isDisplayable(v) ? (v[DISPLAY]() as MimeBundle) : { "text/plain": String(v) });
        },
      };
    },
  };
  return { host, slots };
}

function fakeClock() {
  let now = 0;
  return { clock: () => now, advance: (ms: number) => void (now += ms) };
}

class Sink {
  writable = true;
  text = "";
  isTTY = false;
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe("viz/live: progress bar and live loss plot", () => {
  it("progress bar: updates in place at most every 250 ms, and the last one is final", () => {
    const { host, slots } = fakeHost();
    const { clock, advance } = fakeClock();
    const bar = new ProgressBar({ total: 1000, label: "train", host, clock });
    for (let step = 1; step <= 1000; step++) {
      advance(3); // 3 s in all
      bar.update(step, { loss: 5 / step });
    }
    bar.finish();
    expect(slots).to.have.length(1);
    const updates = slots[0].updates;
    // 3000 ms at one redraw per 250 ms: at most 12 + the final one (the first is display()).
    expect(updates.length).to.be.within(2, 13);
    const last = updates[updates.length - 1];
    expect(String(last["text/plain"])).to.match(/1000\/1000 step/);
    expect(String(last["text/plain"])).to.contain("loss 0.005");
    expect(String(last["text/plain"])).to.match(/ 333 step\/s/);
    expect(String(last["text/html"])).to.match(/<progress value="1000" max="1000"/);
    expect(bar.state()).to.include({ done: 1000, total: 1000, finished: true });
  });

  it("progress bar: estimates steps per second and time left", () => {
    const { host } = fakeHost();
    const { clock, advance } = fakeClock();
    const bar = new ProgressBar({ total: 100, host, clock });
    bar.update(0);
    advance(10_000);
    bar.update(10);
    const s = bar.state();
    expect(s.rate).to.be.closeTo(1, 1e-9);
    expect(s.secondsLeft).to.be.closeTo(90, 1e-9);
    expect(bar.line()).to.contain("1:30 left");
    expect(() => bar.update(NaN)).to.throw(RangeError, /finite/);
  });

  it("progress bar writes large step counts in full", () => {
    const { host } = fakeHost();
    const bar = new ProgressBar({ total: 100000, host, clock: fakeClock().clock });
    bar.update(5);
    expect(bar.line()).to.contain("5/100000");
  });

  it("progress bar without a notebook: compact lines on the stream, bounded", () => {
    const sink = new Sink();
    const { clock, advance } = fakeClock();
    const bar = new ProgressBar({ total: 50, host: null, stream: sink as unknown as NodeJS.WritableStream, clock });
    for (let i = 1; i <= 50; i++) {
      advance(100); // 5 s in all; a log gets a line at most every 2 s
      bar.update(i, { loss: 1 });
    }
    bar.finish();
    const lines = sink.text.trim().split("\n");
    expect(lines.length).to.be.within(2, 5);
    expect(lines[lines.length - 1]).to.match(/\[#{20}\] 50\/50 step · loss 1 · 10 step\/s · done in 0:05/);
  });

  it("progress bar on a terminal redraws one line in place and ends it at finish", () => {
    const sink = new Sink();
    sink.isTTY = true;
    const { clock, advance } = fakeClock();
    const bar = new ProgressBar({ total: 4, host: null, stream: sink as unknown as NodeJS.WritableStream, clock });
    for (let i = 1; i <= 4; i++) {
      advance(300);
      bar.update(i);
    }
    bar.finish();
    expect(sink.text.startsWith("\r")).to.equal(true);
    expect(sink.text.split("\n")).to.have.length(2); // one line, ended once
    expect(sink.text).to.match(/\r\[#{20}\] 4\/4 step[^\r]*\x1b\[K\n$/);
  });

  it("live loss plot: plotly loads in its own output, the plot updates in place, bounded", () => {
    resetPlotlyInjection();
    const { host, slots } = fakeHost();
    const { clock, advance } = fakeClock();
    const plot = new LiveLossPlot({ host, clock, intervalMs: 250 });
    for (let step = 0; step < 2000; step++) {
      advance(1); // 2 s in all
      plot.push(step, 3 * Math.exp(-step / 500));
    }
    plot.finish();
    expect(plotlyInjected()).to.equal(true);
    expect(slots).to.have.length(2);
    const loader = (slots[0].first as { [DISPLAY](): MimeBundle })[DISPLAY]();
    expect(String(loader["text/plain"])).to.contain("plotly.js");
    const updates = slots[1].updates;
    expect(updates.length).to.be.within(2, 9);
    expect(plot.draws).to.equal(updates.length + 1);
    const last = updates[updates.length - 1];
    const spec = last[PLOTLY_MIME] as { data: { x: number[]; y: number[] }[] };
    expect(spec.data[0].x).to.have.length(2000);
    expect(spec.data[0].y[1999]).to.be.closeTo(3 * Math.exp(-1999 / 500), 1e-12);
    // The updates never carry the 5 MB bundle again.
    for (const u of updates) expect(String(u["text/html"]).length).to.be.lessThan(200_000);
    // JupyterLab's plotly renderer ignores updates: while training the plot is HTML only.
    for (const u of updates.slice(0, -1)) expect(u[PLOTLY_MIME]).to.equal(undefined);
  });

  it("live loss plot where the frontend draws plotly JSON: no plotly.js output, the JSON in every update", () => {
    resetPlotlyInjection();
    setPlotlyJsSource("none");
    try {
      const { host, slots } = fakeHost();
      const { clock, advance } = fakeClock();
      const plot = new LiveLossPlot({ host, clock, intervalMs: 250 });
      for (let step = 0; step < 600; step++) {
        advance(1);
        plot.push(step, 3 - step / 300);
      }
      plot.finish();
      expect(slots, "only the plot's own output, no loader").to.have.length(1);
      const updates = slots[0].updates;
      expect(updates.length).to.be.at.least(2);
      for (const u of updates) {
        expect(u[PLOTLY_MIME], "every update carries the plotly JSON").to.not.equal(undefined);
        expect(String(u["text/html"]).length).to.be.lessThan(200_000);
      }
    } finally {
      setPlotlyJsSource(undefined);
      resetPlotlyInjection();
    }
  });

  it("draws a change that came too soon once the interval ends, without finish()", async () => {
    const { host, slots } = fakeHost();
    const plot = new LiveLossPlot({ host, intervalMs: 40 });
    plot.push(1, 3);
    plot.push(2, 2);
    plot.push(3, 1);
    expect(plot.draws).to.equal(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(plot.draws).to.equal(2);
    const update = slots[slots.length - 1].updates[0];
    expect(update[PLOTLY_MIME]).to.equal(undefined); // not finished: HTML only
    expect(String(update["text/html"]).replace(/\s/g, "")).to.contain('"y":[3,2,1]');
  });

  it("live loss plot without a notebook prints a short line", () => {
    const sink = new Sink();
    const plot = new LiveLossPlot({ host: null, stream: sink as unknown as NodeJS.WritableStream });
    plot.push(1, 2.5);
    plot.finish();
    expect(sink.text).to.contain("step 1 loss 2.5");
    expect(() => plot.push("1" as unknown as number, 1)).to.throw(TypeError, /two numbers/);
  });
});
