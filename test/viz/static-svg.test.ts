import { expect } from "chai";
import { inflateSync } from "zlib";
import { Figure } from "../../lib/viz/figure";
import { figureToSvg, png } from "../../lib/viz/static-svg";
import { DISPLAY } from "../../lib/runtime";

/** Width, height and RGBA bytes of an unfiltered 8-bit RGBA PNG (as png() writes them). */
function decodePng(bytes: Buffer): { width: number; height: number; rgba: Buffer } {
  expect([...bytes.subarray(0, 8)]).to.deep.equal([137, 80, 78, 71, 13, 10, 26, 10]);
  let offset = 8;
  let width = 0, height = 0;
  const idat: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString("ascii", offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
    if (type === "IDAT") idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)], "filter byte").to.equal(0);
    raw.copy(rgba, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  }
  return { width, height, rgba };
}

describe("viz: static SVG of a figure (for viewers without plotly)", () => {
  it("draws lines with the axis titles, the title as plain text, and one path per line trace", () => {
    const svg = figureToSvg({
      data: [{ type: "scatter", mode: "lines", x: [1, 2, 3], y: [3, 1, 2], name: "loss" }, { type: "scatter", mode: "lines", x: [1, 2, 3], y: [2, 2, NaN], name: "EMA" }],
      layout: { title: { text: "Loss<br><sup>quick</sup>" }, xaxis: { title: { text: "step" } }, yaxis: { title: { text: "nats" } } },
    })!;
    expect(svg.startsWith("<svg")).to.equal(true);
    expect(svg).to.contain(">Loss — quick</text>");
    expect(svg).to.contain(">step</text>").and.to.contain(">nats</text>");
    const paths = [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);
    expect(paths).to.have.length(2);
    expect(paths[0].match(/[ML]/g)).to.deep.equal(["M", "L", "L"]);
    expect(paths[1].match(/[ML]/g), "a NaN ends the line").to.deep.equal(["M", "L"]);
    expect(svg).to.contain(">loss</text>").and.to.contain(">EMA</text>");
  });

  it("draws values equal to far below a float step (a flat loss) without looping on its ticks", () => {
    const svg = figureToSvg({ data: [{ type: "scatter", y: [1.0000000000000002, 1, 1.0000000000000002] }], layout: {} })!;
    expect(svg.match(/<text [^>]*text-anchor="end">/g)!.length).to.be.within(2, 20);
  });

  it("labels a log axis in powers of ten and skips values it cannot place", () => {
    const svg = figureToSvg({ data: [{ type: "scatter", y: [1e-4, 1e-2, 0, 1] }], layout: { yaxis: { type: "log" } } })!;
    for (const label of ["1e-4", "1e-2", "1e0"]) expect(svg).to.contain(`>${label}</text>`);
  });

  it("embeds a heatmap as a PNG, one pixel per cell, coloured by the figure's scale, rows upwards", () => {
    const svg = figureToSvg({
      data: [{ type: "heatmap", z: [[-1, 0], [1, 0.5]], colorscale: "RdBu", reversescale: true, zmid: 0 }],
      layout: {},
    })!;
    const b64 = /href="data:image\/png;base64,([^"]+)"/.exec(svg)![1];
    const { width, height, rgba } = decodePng(Buffer.from(b64, "base64"));
    expect([width, height]).to.deep.equal([2, 2]);
    const pixel = (x: number, y: number) => [...rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 4)];
    // z row 1 is drawn on top; plotly's RdBu runs blue to red, so reversed +1 is blue, -1 red.
    expect(pixel(0, 0)).to.deep.equal([5, 10, 172, 255]);
    expect(pixel(0, 1)).to.deep.equal([178, 10, 28, 255]);
    expect(pixel(1, 1), "0 is the scale's middle").to.deep.equal([190, 190, 190, 255]);
  });

  it("writes a PNG that round-trips, and gives no picture for what it does not cover", () => {
    const rgba = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(decodePng(png(3, 1, rgba)).rgba).to.deep.equal(rgba);
    expect(figureToSvg({ data: [{ type: "pie", values: [1, 2] }], layout: {} })).to.equal(undefined);
  });

  it("places panels on several axes by their domains, a shared x axis drawn once under the lowest", () => {
    const svg = figureToSvg({
      data: [{ type: "heatmap", z: [[1, 2]], yaxis: "y" }, { type: "heatmap", z: [[3, 4]], yaxis: "y2" }],
      layout: { xaxis: { title: { text: "t" } }, yaxis: { domain: [0.55, 1], title: { text: "forget" } }, yaxis2: { domain: [0, 0.45], title: { text: "input" } } },
    })!;
    expect(svg.match(/<image /g)).to.have.length(2);
    expect(svg).to.contain(">forget</text>").and.to.contain(">input</text>");
    expect(svg.match(/>t<\/text>/g), "one x axis title").to.have.length(1);
    const ys = [...svg.matchAll(/<image x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ys[0], "the first panel (domain 0.55-1) is above the second").to.be.below(ys[1]);
  });

  it("travels in a figure's output as image/svg+xml and inside its HTML, where the plot script replaces it", () => {
    const fig = new Figure({ data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }], layout: {} }, "two bars");
    const bundle = fig[DISPLAY]();
    const svg = bundle["image/svg+xml"] as string;
    expect(svg).to.match(/^<svg/);
    expect(svg.match(/<rect x=/g)).to.have.length(2);
    expect(bundle["text/html"] as string).to.contain(`class="seqlab-plot" style="width:100%;min-height:420px;">${svg.replace(' xmlns="http://www.w3.org/2000/svg"', "")}</div>`);
    const none = new Figure({ data: [{ type: "pie", values: [1] }], layout: {} }, "a pie")[DISPLAY]();
    expect(none).not.to.have.property("image/svg+xml");
  });
});
