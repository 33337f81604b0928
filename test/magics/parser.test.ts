import { expect } from "chai";
import { parseCell, blankMagicLines } from "../../kernel/magics/parser";
import { parseMagicArgs, type ValueSource } from "../../kernel/magics/args";
import { MagicRegistry } from "../../kernel/magics/registry";
import { UsageError } from "../../kernel/engine/errors";
import { formatDuration, timeitReport } from "../../kernel/magics/timefmt";
import type { MagicSpec } from "../../kernel/magics/types";

const values: Record<string, unknown> = { model: { units: 8 }, n: 3, name: "a b" };
const source: ValueSource = {
  lookup: (name) => (name in values ? { found: true, value: values[name] } : { found: false }),
  evaluate: (expr) => new Function(...Object.keys(values), `return (${expr});`)(...Object.values(values)),
};

const spec: MagicSpec = {
  name: "demo",
  kind: "both",
  usage: "%demo [--units N] [-v] ARG...",
  help: "demo",
  options: { units: { type: "number", help: "units", default: 16 }, verbose: { type: "boolean", short: "v", help: "talk" }, tag: { type: "string", short: "t", help: "tag" } },
  run: () => undefined,
};

describe("magics: cell parser", () => {
  it("finds a cell magic on the first line with its body", () => {
    const parsed = parseCell("%%time  -n 2\nlet a = 1;\na");
    expect(parsed).to.deep.equal({ cellMagic: { name: "time", args: "-n 2", body: "let a = 1;\na", help: 0 } });
  });

  it("splits line magics in the middle, keeping TypeScript line numbers by padding", () => {
    const parsed = parseCell("let a = 1;\n  %who\nlet b = 2;\nb");
    if (!("pieces" in parsed)) throw new Error("no pieces");
    expect(parsed.pieces.map((p) => p.kind)).to.deep.equal(["code", "magic", "code"]);
    const [first, magic, last] = parsed.pieces;
    expect(first).to.include({ code: "let a = 1;", firstLine: 1 });
    expect(magic).to.include({ name: "who", line: 2, help: 0 });
    expect(last).to.include({ code: "\n\nlet b = 2;\nb", firstLine: 3 });
  });

  it("recognises help requests and leaves modulo expressions alone", () => {
    const parsed = parseCell("%time?\n%timeit??\nconst r = 7 % 3;");
    if (!("pieces" in parsed)) throw new Error("no pieces");
    expect(parsed.pieces.slice(0, 2).map((p) => (p.kind === "magic" ? [p.name, p.help] : null))).to.deep.equal([["time", 1], ["timeit", 2]]);
    expect(parsed.pieces[2].kind).to.equal("code");
  });

  it("takes lines inside template literals and block comments as text, and magics after them as magics", () => {
    const cell = [
      "const tune = `X:1",
      "%abc2mtex: a comment line of the tune",
      "K:D ${[1].map((n) => {",
      "  return n;",
      "})} and",
      "%more text`;",
      "/* notes:",
      "%who",
      "*/",
      "%who",
      "const t = `${`",
      "%nested`}`;",
    ].join("\n");
    const parsed = parseCell(cell);
    if (!("pieces" in parsed)) throw new Error("no pieces");
    expect(parsed.pieces.map((p) => (p.kind === "magic" ? `magic ${p.name} @${p.line}` : "code"))).to.deep.equal(["code", "magic who @10", "code"]);
    expect(blankMagicLines(cell).split("\n").map((l) => l.trim() === "")).to.deep.equal([
      false, false, false, false, false, false, false, false, false, true, false, false,
    ]);
  });

  it("blanks magic lines without moving offsets", () => {
    const cell = "%who\nlet x = 1;";
    const blank = blankMagicLines(cell);
    expect(blank.length).to.equal(cell.length);
    expect(blank).to.equal("    \nlet x = 1;");
  });
});

describe("magics: arguments", () => {
  it("parses options, defaults and shell-like quoting", () => {
    const args = parseMagicArgs(spec, `-v --tag 'two words' "x y" plain`, "line", source);
    expect(args.options).to.deep.equal({ verbose: true, tag: "two words", units: 16 });
    expect(args.positionals).to.deep.equal(["x y", "plain"]);
  });

  it("converts number options and rejects bad ones with the magic, argument and usage", () => {
    expect(parseMagicArgs(spec, "--units 1024", "line", source).options.units).to.equal(1024);
    expect(() => parseMagicArgs(spec, "--units many", "line", source)).to.throw(UsageError, /%demo: option --units expects a number, got "many"\nUsage: %demo/);
    expect(() => parseMagicArgs(spec, "--nope", "line", source)).to.throw(UsageError, /%demo: .*--nope/);
  });

  it("takes a negative number after an option as its value, long or short", () => {
    expect(parseMagicArgs(spec, "--units -5", "line", source).options.units).to.equal(-5);
    expect(parseMagicArgs(spec, "--tag -0.5 x", "line", source).options.tag).to.equal("-0.5");
    expect(parseMagicArgs(spec, "-v -t -3", "line", source).options).to.include({ verbose: true, tag: "-3" });
  });

  it("keeps an unquoted \\n as \\n (a one-line tune), as between quotes", () => {
    expect(parseMagicArgs(spec, String.raw`X:1\nK:C "a\nb" 'c\nd'`, "line", source).positionals).to.deep.equal([String.raw`X:1\nK:C`, String.raw`a\nb`, String.raw`c\nd`]);
  });

  it("expands $name and {expr} to values, keeping the objects", () => {
    const args = parseMagicArgs(spec, "$model {n * 2} pre-$n '$n' --tag $name", "line", source);
    expect(args.positionals).to.deep.equal(['{"units":8}', "6", "pre-3", "$n"]);
    expect(args.refs[0]).to.deep.equal({ written: "$model", value: values.model });
    expect(args.refs[1]).to.deep.equal({ written: "{n * 2}", value: 6 });
    expect(args.refs[2]).to.equal(undefined);
    expect(args.options.tag).to.equal("a b");
    expect(args.optionRefs.tag?.written).to.equal("$name");
  });

  it("names an undefined $variable and a failing {expr}", () => {
    expect(() => parseMagicArgs(spec, "$missing", "line", source)).to.throw(UsageError, /\$missing is not defined/);
    expect(() => parseMagicArgs(spec, "{nothere.x}", "line", source)).to.throw(UsageError, /could not evaluate \{nothere.x\}/);
    expect(parseMagicArgs(spec, "$$5 {{x}}", "line", source).positionals).to.deep.equal(["$5", "{x}"]);
  });

  it("code mode reads leading options and keeps the rest verbatim", () => {
    const codeSpec: MagicSpec = { ...spec, args: "code", options: { number: { type: "number", short: "n", help: "n" } } };
    const args = parseMagicArgs(codeSpec, "-n 10 f($x, '{y}')", "line", source);
    expect(args.options.number).to.equal(10);
    expect(args.rest).to.equal("f($x, '{y}')");
  });
});

describe("magics: registry", () => {
  it("registers, finds by kind and lists magics", () => {
    const registry = new MagicRegistry();
    registry.register({ ...spec, name: "lineonly", kind: "line" });
    registry.register({ ...spec, name: "cellonly", kind: "cell" });
    expect(registry.find("lineonly", "line")?.name).to.equal("lineonly");
    expect(registry.find("lineonly", "cell")).to.equal(undefined);
    expect(registry.lineNames()).to.deep.equal(["lineonly"]);
    expect(registry.cellNames()).to.deep.equal(["cellonly"]);
  });

  it("rejects bad specs with what to fix", () => {
    const registry = new MagicRegistry();
    expect(() => registry.register({ ...spec, name: "%bad" })).to.throw(TypeError, /without the %/);
    expect(() => registry.register({ ...spec, kind: "block" as never })).to.throw(TypeError, /kind must be/);
    expect(() => registry.register({ ...spec, run: undefined as never })).to.throw(TypeError, /run must be a function/);
    expect(() => registry.register({ ...spec, options: { a: { type: "int" as never, help: "" } } })).to.throw(TypeError, /needs type/);
  });
});

describe("magics: time formatting", () => {
  it("writes durations like IPython", () => {
    expect(formatDuration(0.00123)).to.equal("1.23 ms");
    expect(formatDuration(2.5e-5)).to.equal("25 µs");
    expect(formatDuration(12.3)).to.equal("12.3 s");
    expect(formatDuration(125)).to.equal("2min 5s");
    expect(formatDuration(0)).to.equal("0 ns");
    expect(timeitReport([0.001, 0.001], 1000)).to.equal("1 ms ± 0 ns per loop (mean ± std. dev. of 2 runs, 1,000 loops each)");
  });
});
