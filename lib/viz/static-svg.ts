/**
 * A static SVG of a figure, drawn without a browser, for places that show no plotly: GitHub's
 * notebook view, PDF and other nbconvert exports, viewers without JavaScript. It covers what
 * seqlab draws on one pair of axes (line and marker scatter, bars, heatmaps; linear and log
 * axes; numeric or categorical x); anything else gets no static image (undefined).
 */
import { deflateSync } from "zlib";
import { escapeHtml, formatNumber } from "./format";
import type { FigureSpec, PlotlyTrace } from "./figure";

const WIDTH = 640;
const MARGIN = { l: 64, r: 16, t: 36, b: 48 };
/** plotly's default colour sequence. */
const COLORWAY = ["#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52"];
/** plotly.js's own named scales (the ones seqlab uses), so the picture matches the plot. */
const SCALES: Record<string, [number, string][]> = {
  RdBu: [[0, "rgb(5,10,172)"], [0.35, "rgb(106,137,247)"], [0.5, "rgb(190,190,190)"], [0.6, "rgb(220,170,132)"], [0.7, "rgb(230,145,90)"], [1, "rgb(178,10,28)"]],
  Blues: [[0, "rgb(5,10,172)"], [0.35, "rgb(40,60,190)"], [0.5, "rgb(70,100,245)"], [0.6, "rgb(90,120,245)"], [0.7, "rgb(106,137,247)"], [1, "rgb(220,220,220)"]],
  Viridis: [[0, "#440154"], [0.25, "#3b528b"], [0.5, "#21918c"], [0.75, "#5ec962"], [1, "#fde725"]],
};

type Axis = { log: boolean; categories?: string[]; min: number; max: number; title?: string; reversed: boolean };

/** A title's text, plotly's HTML-ish markup (<br>, <sub>, <sup>, <b>) turned into plain text. */
function text(v: unknown): string | undefined {
  const raw = typeof v === "string" ? v : (v as { text?: string } | undefined)?.text;
  return raw?.replace(/<br\s*\/?>/gi, " — ").replace(/<[^>]+>/g, "");
}
const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.map((x) => (typeof x === "number" && Number.isFinite(x) ? x : NaN)) : []);

type Rect = { x: number; y: number; w: number; h: number };

/** The layout entry of an axis id: "x" -> layout.xaxis, "y3" -> layout.yaxis3. */
function axisLayout(layout: Record<string, unknown>, id: string): Record<string, unknown> | undefined {
  return layout[`${id[0]}axis${id.slice(1)}`] as Record<string, unknown> | undefined;
}

/** The SVG, or undefined for a figure this renderer does not cover. */
export function figureToSvg(spec: FigureSpec): string | undefined {
  const traces = spec.data.filter((t) => t.visible !== false);
  if (traces.length === 0) return undefined;
  if (traces.some((t) => !["scatter", "scattergl", "bar", "heatmap", undefined].includes(t.type))) return undefined;
  const layout = spec.layout ?? {};
  const height = Math.min(700, typeof layout.height === "number" ? layout.height : 420);
  const area: Rect = { x: MARGIN.l, y: MARGIN.t, w: WIDTH - MARGIN.l - MARGIN.r, h: height - MARGIN.t - MARGIN.b };
  const xId = (t: PlotlyTrace) => String(t.xaxis ?? "x");
  const yId = (t: PlotlyTrace) => String(t.yaxis ?? "y");
  const colorOf = (t: PlotlyTrace, i: number) => {
    const own = (t.line as { color?: unknown } | undefined)?.color ?? (t.marker as { color?: unknown } | undefined)?.color;
    return typeof own === "string" ? own : COLORWAY[i % COLORWAY.length];
  };

  // One panel per pair of axes, placed by the axes' domains (subplots, stacked bands).
  const parts: string[] = [];
  const pairs = [...new Set(traces.map((t) => `${xId(t)} ${yId(t)}`))].map((p) => p.split(" "));
  const bottom = (yid: string) => ((axisLayout(layout, yid)?.domain as number[] | undefined) ?? [0, 1])[0];
  // A shared x axis is drawn once, under the lowest panel that uses it.
  const xDrawnUnder = new Map<string, string>();
  for (const [xid, yid] of pairs) if (!xDrawnUnder.has(xid) || bottom(yid) < bottom(xDrawnUnder.get(xid)!)) xDrawnUnder.set(xid, yid);
  for (const [xid, yid] of pairs) {
    const mine = traces.filter((t) => xId(t) === xid && yId(t) === yid);
    const xl = axisLayout(layout, xid), yl = axisLayout(layout, yid);
    const xa = axisOf(traces.filter((t) => xId(t) === xid), "x", xl);
    const ya = axisOf(traces.filter((t) => yId(t) === yid), "y", yl);
    if (!xa || !ya) return undefined;
    const [dx0, dx1] = (xl?.domain as number[] | undefined) ?? [0, 1];
    const [dy0, dy1] = (yl?.domain as number[] | undefined) ?? [0, 1];
    const plot: Rect = { x: area.x + dx0 * area.w, w: (dx1 - dx0) * area.w, y: area.y + (1 - dy1) * area.h, h: (dy1 - dy0) * area.h };
    const sx = (v: number) => plot.x + ((transform(xa, v) - xa.min) / (xa.max - xa.min || 1)) * plot.w;
    const syRaw = (v: number) => ((transform(ya, v) - ya.min) / (ya.max - ya.min || 1)) * plot.h;
    const sy = (v: number) => (ya.reversed ? plot.y + syRaw(v) : plot.y + plot.h - syRaw(v));
    const bars = mine.filter((t) => t.type === "bar");
    for (const t of mine) {
      const color = colorOf(t, traces.indexOf(t));
      if (t.type === "heatmap") parts.push(heatmap(t, ya, sx, sy));
      else if (t.type === "bar") parts.push(barTrace(t, bars.indexOf(t), bars.length, xa, sx, sy, ya, color));
      else parts.push(scatter(t, xa, sx, sy, color));
    }
    if (xDrawnUnder.get(xid) === yid) parts.push(axisSvg(xa, "x", plot, sx, xl?.showticklabels !== false));
    parts.push(axisSvg(ya, "y", plot, sy, yl?.showticklabels !== false));
  }

  const title = text(layout.title);
  const legend = traces
    .filter((t) => typeof t.name === "string" && t.type !== "heatmap" && traces.length > 1)
    .map((t, i) => `<text x="${WIDTH - MARGIN.r - 4}" y="${MARGIN.t + 14 + 14 * i}" text-anchor="end" fill="${colorOf(t, traces.indexOf(t))}">${escapeHtml(String(t.name))}</text>`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    (title ? `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14">${escapeHtml(title)}</text>` : "") +
    parts.join("") +
    legend.join("") +
    `</svg>`
  );
}

function transform(a: Axis, v: number): number {
  return a.log ? Math.log10(v) : v;
}

/** Range and kind of one axis over every trace's values along it. */
function axisOf(traces: PlotlyTrace[], which: "x" | "y", layoutAxis: Record<string, unknown> | undefined): Axis | undefined {
  const log = layoutAxis?.type === "log";
  const reversed = layoutAxis?.autorange === "reversed";
  const values: unknown[] = [];
  for (const t of traces) {
    const own = t[which] as unknown[] | undefined;
    if (Array.isArray(own)) values.push(...own);
    else if (t.type === "heatmap") {
      const z = t.z as unknown[][];
      const n = which === "x" ? Math.max(0, ...z.map((r) => r.length)) : z.length;
      values.push(...Array.from({ length: n }, (_, i) => i));
    } else if (which === "x") values.push(...Array.from({ length: (t.y as unknown[] | undefined)?.length ?? 0 }, (_, i) => i));
  }
  if (values.some((v) => typeof v === "string")) {
    const categories = [...new Set(values.map(String))];
    return { log: false, categories, min: -0.5, max: categories.length - 0.5, title: text(layoutAxis?.title), reversed };
  }
  let nums = numbers(values).filter((v) => !Number.isNaN(v) && (!log || v > 0));
  if (nums.length === 0) nums = log ? [1, 10] : [0, 1];
  let min = Math.min(...nums.map((v) => (log ? Math.log10(v) : v)));
  let max = Math.max(...nums.map((v) => (log ? Math.log10(v) : v)));
  const heat = traces.some((t) => t.type === "heatmap");
  if (heat) [min, max] = [min - 0.5, max + 0.5];
  else if (traces.some((t) => t.type === "bar") && which === "y") [min, max] = [Math.min(0, min), Math.max(0, max)];
  // A range too narrow for float steps (values equal to 1e-9 of their size) is widened.
  if (max - min <= 1e-9 * Math.max(Math.abs(min), Math.abs(max))) [min, max] = [min - Math.max(1, Math.abs(min) * 0.1), max + Math.max(1, Math.abs(max) * 0.1)];
  return { log, min, max, title: text(layoutAxis?.title), reversed };
}

/** About five round tick values in the axis's own (log10 for log axes) units. */
function ticks(a: Axis): number[] {
  if (a.categories) {
    const step = Math.ceil(a.categories.length / 12);
    return a.categories.map((_, i) => i).filter((i) => i % step === 0);
  }
  const span = a.max - a.min;
  if (a.log) {
    const step = Math.max(1, Math.ceil(span / 6));
    const out: number[] = [];
    for (let p = Math.ceil(a.min); p <= a.max; p += step) out.push(p);
    return out;
  }
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  const first = Math.ceil(a.min / step);
  for (let k = first; k * step <= a.max + 1e-9 * step && out.length < 20; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

function tickLabel(a: Axis, v: number): string {
  if (a.categories) return a.categories[v] ?? "";
  return a.log ? `1e${v}` : formatNumber(v, 4);
}

function axisSvg(a: Axis, which: "x" | "y", plot: Rect, scale: (v: number) => number, labels: boolean): string {
  const at = (v: number) => scale(a.log ? 10 ** v : v);
  const out: string[] = [];
  if (which === "x") {
    const y = plot.y + plot.h;
    out.push(`<line x1="${plot.x}" y1="${y}" x2="${plot.x + plot.w}" y2="${y}" stroke="#444"/>`);
    for (const v of labels ? ticks(a) : []) {
      const x = a.categories ? scale(v) : at(v);
      out.push(`<line x1="${x.toFixed(1)}" y1="${y}" x2="${x.toFixed(1)}" y2="${y + 4}" stroke="#444"/><text x="${x.toFixed(1)}" y="${y + 15}" text-anchor="middle">${escapeHtml(tickLabel(a, v))}</text>`);
    }
    if (a.title) out.push(`<text x="${plot.x + plot.w / 2}" y="${y + 36}" text-anchor="middle" font-size="12">${escapeHtml(a.title)}</text>`);
  } else {
    out.push(`<line x1="${plot.x}" y1="${plot.y}" x2="${plot.x}" y2="${plot.y + plot.h}" stroke="#444"/>`);
    for (const v of labels ? ticks(a) : []) {
      const y = a.categories ? scale(v) : at(v);
      out.push(`<line x1="${plot.x - 4}" y1="${y.toFixed(1)}" x2="${plot.x}" y2="${y.toFixed(1)}" stroke="#444"/><line x1="${plot.x}" y1="${y.toFixed(1)}" x2="${plot.x + plot.w}" y2="${y.toFixed(1)}" stroke="#eee"/><text x="${plot.x - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${escapeHtml(tickLabel(a, v))}</text>`);
    }
    if (a.title) out.push(`<text transform="translate(14 ${plot.y + plot.h / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeHtml(a.title)}</text>`);
  }
  return out.join("");
}

/** Position of the i-th x value: its category's index, or the number itself. */
function xPosition(xa: Axis, xs: unknown[] | undefined, i: number): number {
  const x = xs ? xs[i] : i;
  return xa.categories ? xa.categories.indexOf(String(x)) : Number(x);
}

function scatter(t: PlotlyTrace, xa: Axis, sx: (v: number) => number, sy: (v: number) => number, color: string): string {
  const ys = numbers(t.y);
  const xs = t.x as unknown[] | undefined;
  const mode = String(t.mode ?? "lines");
  const points = ys.map((y, i) => [xPosition(xa, xs, i), y] as const);
  const out: string[] = [];
  if (mode.includes("lines")) {
    let d = "";
    let pen = false;
    for (const [x, y] of points) {
      if (!Number.isFinite(x) || !Number.isFinite(y) || (xa.log && x <= 0)) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`;
      pen = true;
    }
    const dash = (t.line as { dash?: string })?.dash === "dash" ? ' stroke-dasharray="6 4"' : "";
    out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"${dash}/>`);
  }
  if (mode.includes("markers") && points.length <= 2000) {
    for (const [x, y] of points) if (Number.isFinite(x) && Number.isFinite(y)) out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${color}"/>`);
  }
  return out.join("");
}

function barTrace(t: PlotlyTrace, index: number, count: number, xa: Axis, sx: (v: number) => number, sy: (v: number) => number, ya: Axis, color: string): string {
  const ys = numbers(t.y);
  const xs = t.x as unknown[] | undefined;
  const slot = (sx(1) - sx(0)) * 0.8;
  const width = Math.abs(slot) / count;
  const base = sy(ya.log ? 10 ** ya.min : 0);
  return ys
    .map((y, i) => {
      if (!Number.isFinite(y)) return "";
      const x = sx(xPosition(xa, xs, i)) - Math.abs(slot) / 2 + index * width;
      const top = sy(y);
      return `<rect x="${x.toFixed(1)}" y="${Math.min(top, base).toFixed(1)}" width="${width.toFixed(1)}" height="${Math.abs(base - top).toFixed(1)}" fill="${color}"/>`;
    })
    .join("");
}

/** The heatmap as an embedded PNG, one pixel per cell, stretched over the cells' extent. */
function heatmap(t: PlotlyTrace, ya: Axis, sx: (v: number) => number, sy: (v: number) => number): string {
  const z = (t.z as unknown[][]).map(numbers);
  const rows = z.length;
  const cols = Math.max(...z.map((r) => r.length));
  const finite = z.flat().filter((v) => !Number.isNaN(v));
  let lo = typeof t.zmin === "number" ? t.zmin : Math.min(...finite);
  let hi = typeof t.zmax === "number" ? t.zmax : Math.max(...finite);
  if (typeof t.zmid === "number" && t.zmin === undefined) {
    const r = Math.max(Math.abs(hi - t.zmid), Math.abs(t.zmid - lo));
    [lo, hi] = [t.zmid - r, t.zmid + r];
  }
  const scale = colorscale(t.colorscale, t.reversescale === true);
  const rgba = Buffer.alloc(rows * cols * 4);
  for (let r = 0; r < rows; r++) {
    // PNG rows run top to bottom; y grows upwards unless the axis is reversed.
    const src = ya.reversed ? r : rows - 1 - r;
    for (let c = 0; c < cols; c++) {
      const v = z[src][c];
      const o = (r * cols + c) * 4;
      if (v === undefined || Number.isNaN(v)) continue; // transparent
      const [R, G, B] = scale(hi > lo ? (v - lo) / (hi - lo) : 0.5);
      rgba.set([R, G, B, 255], o);
    }
  }
  const x0 = sx(-0.5), x1 = sx(cols - 0.5);
  const y0 = sy(-0.5), y1 = sy(rows - 0.5);
  return `<image x="${Math.min(x0, x1).toFixed(1)}" y="${Math.min(y0, y1).toFixed(1)}" width="${Math.abs(x1 - x0).toFixed(1)}" height="${Math.abs(y1 - y0).toFixed(1)}" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,${png(cols, rows, rgba).toString("base64")}"/>`;
}

function colorscale(spec: unknown, reverse: boolean): (u: number) => [number, number, number] {
  let stops: [number, string][] = Array.isArray(spec) ? (spec as [number, string][]) : (SCALES[String(spec)] ?? SCALES.Viridis);
  if (reverse) stops = stops.map(([p, c]) => [1 - p, c] as [number, string]).reverse();
  const rgb = (c: string): [number, number, number] => {
    const m = /^#([0-9a-f]{6})$/i.exec(c);
    if (m) return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16)) as [number, number, number];
    const n = (c.match(/[\d.]+/g) ?? ["0", "0", "0"]).map(Number);
    return [n[0], n[1], n[2]];
  };
  const parsed = stops.map(([p, c]) => [p, rgb(c)] as const);
  return (u) => {
    const x = Math.min(1, Math.max(0, u));
    const k = Math.max(1, parsed.findIndex(([p]) => p >= x));
    const [p0, c0] = parsed[k - 1];
    const [p1, c1] = parsed[Math.min(k, parsed.length - 1)];
    const f = p1 > p0 ? (x - p0) / (p1 - p0) : 0;
    return [0, 1, 2].map((i) => Math.round(c0[i] + f * (c1[i] - c0[i]))) as [number, number, number];
  };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** An 8-bit RGBA PNG. */
export function png(width: number, height: number, rgba: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter method, no interlace
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", header), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}
