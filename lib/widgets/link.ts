/**
 * jslink: ties two widgets' properties together in the frontend (a LinkModel of
 * @jupyter-widgets/controls), so a Play can drive a slider without a round trip to the
 * kernel. Without a kernel there is no frontend, so the link is kept on this side instead.
 */
import { Widget, controlsModel, syncedProperties } from "./widget";

export type LinkEnd = readonly [Widget, string];

function checkEnd(end: unknown, which: string): LinkEnd {
  if (!Array.isArray(end) || end.length !== 2 || !(end[0] instanceof Widget) || typeof end[1] !== "string") {
    throw new TypeError(`jslink: the ${which} must be [widget, "property"], e.g. [play, "value"]`);
  }
  if (!(end[1] in end[0])) throw new TypeError(`jslink: ${end[0].constructor.name} has no property "${end[1]}" to link`);
  return end as unknown as LinkEnd;
}

export class Link extends Widget {
  declare readonly source: LinkEnd;
  declare readonly target: LinkEnd;
  private readonly stops: (() => void)[] = [];

  constructor(source: LinkEnd, target: LinkEnd) {
    super(controlsModel("LinkModel", null), { source: [], target: [] }, { source: checkEnd(source, "source"), target: checkEnd(target, "target") });
    const [from, fromName] = source;
    const [to, toName] = target;
    const writable = (w: Widget) => w as unknown as Record<string, unknown>;
    writable(to)[toName] = writable(from)[fromName];
    if (!this.connected) {
      this.stops.push(from.observe(fromName, (c) => void (writable(to)[toName] = c.new)));
      this.stops.push(to.observe(toName, (c) => void (writable(from)[fromName] = c.new)));
    }
  }

  /** Ends the link. */
  unlink(): void {
    this.stops.splice(0).forEach((stop) => stop());
    this.close();
  }
}
syncedProperties(Link, ["source", "target"]);

/** Links source[1] of source[0] to target[1] of target[0] in the frontend (ipywidgets' jslink). */
export function jslink(source: LinkEnd, target: LinkEnd): Link {
  return new Link(source, target);
}
