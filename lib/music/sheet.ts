/**
 * Sheet music as SVG. abcjs draws into a DOM, so a linkedom document stands in for the
 * browser's: it is far lighter than jsdom (no layout engine, no network stack) and abcjs only
 * needs element creation and attributes from it. Text sizes, which abcjs asks the browser for
 * with getBBox, are estimated from the font size and the number of characters.
 */
import { loadAbcjs } from "./abc";

/** linkedom on first use: with abcjs it is most of what `import * as sl` would otherwise load. */
const loadLinkedom = () => require("linkedom") as typeof import("linkedom");

export interface SheetOptions {
  /** Staff width in pixels. Default 740. */
  staffwidth?: number;
  /** Scale factor. Default 1. */
  scale?: number;
}

type Globals = Record<"document" | "window" | "navigator", unknown>;

/** getBBox estimate for SVG text: average glyph is about 0.55 em wide, line 1.2 em high. */
function installTextMeasure(proto: Record<string, unknown>): void {
  if (typeof proto.getBBox === "function") return;
  proto.getBBox = function (this: { textContent: string | null; getAttribute(n: string): string | null }) {
    const size = Number.parseFloat(this.getAttribute("font-size") ?? "") || 12;
    const text = this.textContent ?? "";
    return { x: 0, y: 0, width: 0.55 * size * text.length, height: 1.2 * size };
  };
}

/** Draw the first tune of `abc` as a standalone SVG string. */
export function renderSvg(abc: string, options: SheetOptions = {}): string {
  if (typeof abc !== "string" || abc.trim() === "") throw new Error("renderSvg needs non-empty ABC text.");
  const abcjs = loadAbcjs();
  const { document, window } = loadLinkedom().parseHTML('<!doctype html><html><body><div id="paper"></div></body></html>');
  const probe = document.createElementNS("http://www.w3.org/2000/svg", "text");
  installTextMeasure(Object.getPrototypeOf(probe) as Record<string, unknown>);
  // abcjs reads these globals while drawing; swap them in for the call and put back after.
  const restore = swapGlobals({ document, window, navigator: { userAgent: "node" } });
  try {
    const paper = document.getElementById("paper") as unknown as HTMLElement;
    withoutEngraverLogs(() =>
      abcjs.renderAbc(paper, abc, {
        add_classes: true,
        staffwidth: options.staffwidth ?? 740,
        scale: options.scale ?? 1,
      }),
    );
    const svg = (paper as unknown as { innerHTML: string }).innerHTML;
    if (!svg.includes("<svg")) throw new Error("abcjs drew nothing for this ABC text.");
    // Standalone SVG needs its namespace; abcjs relies on the HTML parser to supply it.
    return svg.replace(/<svg(?![^>]*\sxmlns=)/, '<svg xmlns="http://www.w3.org/2000/svg"');
  } finally {
    restore();
  }
}

/**
 * Runs abcjs's drawing with console.log silenced. Its engraver logs its own debugging there
 * ("noteSymbol: note -8 false", "Debug msg: pitch is undefined" for a note length it has no
 * glyph for, e.g. A/32) and would print into the notebook; the sheet already marks such a
 * note in red with the same words. Drawing is synchronous, so nothing else logs meanwhile.
 */
function withoutEngraverLogs<T>(draw: () => T): T {
  const log = console.log;
  console.log = () => undefined;
  try {
    return draw();
  } finally {
    console.log = log;
  }
}

/** Set globals that are absent or writable (Node 21+ has a read-only navigator); undo later. */
function swapGlobals(values: Globals): () => void {
  const undo: (() => void)[] = [];
  for (const key of Object.keys(values) as (keyof Globals)[]) {
    const before = Object.getOwnPropertyDescriptor(globalThis, key);
    if (key === "navigator" && before) continue;
    if (before && !before.configurable && !before.writable) continue;
    Object.defineProperty(globalThis, key, { value: values[key], configurable: true, writable: true });
    undo.push(() => {
      if (before) Object.defineProperty(globalThis, key, before);
      else delete (globalThis as Record<string, unknown>)[key];
    });
  }
  return () => undo.reverse().forEach((f) => f());
}
