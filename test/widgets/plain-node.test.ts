/**
 * Widgets with no kernel (plain Node): they show as text, keep their state, and their
 * observers, clicks, links, Output captures and interact runs still work.
 */
import { expect } from "chai";
import { widgets } from "../../lib";
import { DISPLAY, displayHost, type MimeBundle } from "../../lib/runtime";

const bundle = (w: object) => (w as { [DISPLAY](): MimeBundle })[DISPLAY]();

/** Runs fn with what reaches stdout collected instead of printed. */
async function printedBy(fn: () => unknown): Promise<string> {
  let text = "";
  const original = process.stdout.write;
  process.stdout.write = ((chunk: string) => Boolean((text += chunk))) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = original;
  }
  return text;
}

describe("widgets without a kernel", function () {
  it("show as text only, like ipywidgets' repr, and report no frontend", function () {
    const slider = new widgets.IntSlider({ value: 3, max: 10, description: "n" });
    expect(bundle(slider)).to.deep.equal({ "text/plain": "IntSlider(description='n', max=10, value=3)" });
    expect(slider.connected).to.equal(false);
    expect(String(new widgets.Dropdown({ options: ["lstm", "gru"], value: "gru" }))).to.equal("Dropdown(index=1, options=['lstm', 'gru'], value='gru')");
    expect(String(new widgets.HBox([new widgets.Label({ value: "a" }), new widgets.Checkbox({ value: true })]))).to.equal(
      "HBox(\n  Label(value='a')\n  Checkbox(value=true)\n)",
    );
  });

  it("call observers with {name, old, new, owner}, clamp to the bounds, and move the value with a bound", function () {
    const slider = new widgets.FloatSlider({ value: 0.5, min: 0, max: 1 });
    const seen: unknown[] = [];
    const stop = slider.observe("value", (c) => void seen.push([c.name, c.old, c.new, c.owner === slider]));
    slider.value = 3;
    slider.max = 0.6;
    expect(slider.value).to.equal(0.6);
    expect(seen).to.deep.equal([["value", 0.5, 1, true], ["value", 1, 0.6, true]]);
    stop();
    slider.value = 0.2;
    expect(seen).to.have.length(2);
  });

  it("refuse bad input with errors that say what was wrong, keeping the state", function () {
    const slider = new widgets.IntSlider({ value: 4 });
    const s = slider as unknown as Record<string, unknown>;
    expect(() => (s.value = "7")).to.throw(TypeError, /IntSlider\.value must be a number, got "7"/);
    expect(() => (s.value = 1.5)).to.throw(TypeError, /must be an integer, got 1\.5/);
    expect(() => (slider.max = -1)).to.throw(RangeError, /max \(-1\) cannot be below min \(0\)/);
    expect(slider.value).to.equal(4);
    expect(() => new widgets.IntSlider({ valu: 3 } as never)).to.throw(TypeError, /unknown option "valu"; it takes .*value/);
    expect(() => new widgets.Dropdown({ options: ["a"], value: "b" })).to.throw(RangeError, /"b" is not one of the options \(a\)/);
    expect(() => slider.observe("vlaue", () => undefined)).to.throw(TypeError, /no property "vlaue"; observable: .*value/);
    slider.close();
    expect(() => (slider.value = 1)).to.throw(/this IntSlider is closed; create a new one/);
  });

  it("selection widgets report value and label changes with the index", function () {
    const dropdown = new widgets.Dropdown<number>({ options: [["small", 1], ["large", 100]] });
    const seen: unknown[] = [];
    dropdown.observe(["index", "value", "label"], (c) => void seen.push([c.name, c.old, c.new]));
    dropdown.value = 100;
    expect([dropdown.index, dropdown.label]).to.deep.equal([1, "large"]);
    expect(seen).to.deep.equal([["index", 0, 1], ["value", 1, 100], ["label", "small", "large"]]);
  });

  it("run Button callbacks on click, and keep jslinked values together on this side", async function () {
    const button = new widgets.Button({ description: "go" });
    const clicked: string[] = [];
    button.onClick((b) => void clicked.push(b.description));
    await button.click();
    expect(clicked).to.deep.equal(["go"]);

    const play = new widgets.Play({ value: 4, max: 20 });
    const slider = new widgets.IntSlider({ max: 20 });
    const link = widgets.jslink([play, "value"], [slider, "value"]);
    expect(slider.value).to.equal(4);
    play.value = 9;
    expect(slider.value).to.equal(9);
    slider.value = 2;
    expect(play.value).to.equal(2);
    link.unlink();
    play.value = 5;
    expect(slider.value).to.equal(2);
    expect(() => widgets.jslink([play, "nope"], [slider, "value"])).to.throw(/Play has no property "nope"/);
  });

  it("Output captures a callback's prints, lib displays and error, and leaves the streams as they were", async function () {
    const out = new widgets.Output();
    const writes = [process.stdout.write, process.stderr.write];
    const value = await out.capture(async () => {
      console.log("first");
      await new Promise((r) => setImmediate(r));
      process.stderr.write("warn\n");
      displayHost()!.display({ [DISPLAY]: () => ({ "text/html": "<b>x</b>", "text/plain": "x" }) });
      return 42;
    });
    expect(value).to.equal(42);
    expect([process.stdout.write, process.stderr.write]).to.deep.equal(writes);
    expect(out.outputs).to.deep.equal([
      { output_type: "stream", name: "stdout", text: "first\n" },
      { output_type: "stream", name: "stderr", text: "warn\n" },
      { output_type: "display_data", data: { "text/html": "<b>x</b>", "text/plain": "x" }, metadata: {} },
    ]);
    await out.capture(() => {
      throw new RangeError("bad step");
    });
    expect(out.outputs[3]).to.include({ output_type: "error", ename: "RangeError", evalue: "bad step" });
    out.clear();
    expect(String(out)).to.equal("Output()");
  });

  it("interact prints its controls, runs fn now and on each change, and keeps only the newest run's output", async function () {
    let release = () => undefined as void;
    const gate = new Promise<void>((r) => (release = r));
    let inter!: widgets.Interactive<{ n: number[]; cell: string[]; bias: boolean }>;
    const printed = await printedBy(async () => {
      inter = widgets.interact(
        async ({ n, cell, bias }) => {
          if (n === 1) await gate;
          if (n === 3) release();
          console.log(`n=${n}`);
          return `${cell}/${bias}`;
        },
        { n: [0, 4], cell: ["lstm", "gru"], bias: true },
      );
      await inter.settled();
    });
    expect(printed).to.equal(
      "Interactive(\n  IntSlider(description='n', max=4, value=2)\n  Dropdown(description='cell', index=0, options=['lstm', 'gru'], value='lstm')\n  Checkbox(description='bias', value=true)\n  Output()\n)\n",
    );
    expect(String(inter.output)).to.equal("n=2\nlstm/true");
    inter.controls.n.value = 1;
    inter.controls.n.value = 3;
    await inter.settled();
    await new Promise((r) => setImmediate(r));
    expect(String(inter.output)).to.equal("n=3\nlstm/true");
  });

  it("interact makes the controls ipywidgets makes, and says what it cannot use", function () {
    const made = (a: widgets.Abbreviation) => String(widgets.widgetFrom(a, "x"));
    expect(made([0, 10, 3])).to.equal("IntSlider(description='x', max=10, step=3, value=3)");
    expect(made([0, 1])).to.equal("IntSlider(description='x', max=1)");
    expect(made([0, 2.5])).to.equal("FloatSlider(description='x', max=2.5, value=1.25)");
    expect(made([0.5, 2, 0.5])).to.equal("FloatSlider(description='x', max=2, min=0.5, step=0.5, value=1)");
    expect(made(5)).to.equal("IntSlider(description='x', max=15, min=-5, value=5)");
    expect(made("hi")).to.equal("Text(description='x', value='hi')");
    expect(() => widgets.widgetFrom({} as never, "x")).to.throw(TypeError, /cannot make a control for "x" from \{\}; use \[min, max\]/);
    expect(() => widgets.widgetFrom([3, 1], "x")).to.throw(RangeError, /min \(3\) is above max \(1\)/);
  });
});
