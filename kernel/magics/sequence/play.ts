/** %play / %%play: sheet music and audio for ABC tunes (lib/music's Song). */
import type { MagicSpec } from "../types";
import { describeValue } from "../types";
import { showTunes, tunesIn } from "./music";
import { positiveNumber } from "./values";

function isSongLike(value: unknown): value is { abc: string } {
  return value !== null && typeof value === "object" && typeof (value as { abc?: unknown }).abc === "string";
}

/** Thrown for tunes the ABC parser warns about (unless --lenient). */
export class InvalidTuneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidTuneError";
  }
}

/** Fails with every warning of every tune that does not parse cleanly (lib/music's checkSongs). */
async function refuseInvalid(tunes: readonly string[]): Promise<void> {
  const { checkSongs } = await import("../../../lib/music/abc");
  const { plural } = await import("../../../lib/viz/format");
  const { invalid } = checkSongs(tunes);
  if (invalid.length === 0) return;
  const lines = invalid.flatMap(({ index, warnings }) => [
    `tune ${index + 1}${tunes.length > 1 ? ` of ${tunes.length}` : ""}: ${plural(warnings.length, "parser warning")}:`,
    ...warnings.map((w) => `  ${w}`),
  ]);
  throw new InvalidTuneError(`%play: not valid ABC\n${lines.join("\n")}\nFix the tune, or add --lenient to show and play it anyway.`);
}

export const playMagic: MagicSpec = {
  name: "play",
  kind: "both",
  arguments: "ABC|$var",
  cellArguments: "(the tune as the cell body)",
  help: [
    "Shows ABC tunes as sheet music (SVG drawn by abcjs) with an audio player (a WAV made",
    "offline by the built-in synthesizer, or by abc2midi + timidity with --engine timidity when",
    "they are installed), and says whether abcjs parsed each tune cleanly.",
    "The tune: a $variable holding ABC text (a string, an sl.Song, sl.SampledText, or an array",
    "of tunes), the text on the line (write \\n for line breaks), or, as %%play, the cell body.",
    "Text holding several tunes (separated by blank lines) plays the first; --all plays each.",
    "A tune the parser warns about is an error listing the warnings (the cell fails);",
    "--lenient shows and plays it anyway. Audio stops at --max-seconds (180 by default) and",
    "the sheet music at 64 lines of music, so that a very long tune stays quick to show.",
    "",
    "Examples:",
    "  %play $tune",
    "  %play --all {songs.slice(0, 3)}",
    "  %%play",
    "  X:1",
    "  T:Scale",
    "  K:C",
    "  CDEF GABc|",
  ].join("\n"),
  options: {
    engine: { type: "string", value: "builtin|timidity", help: "builtin or timidity", default: "builtin" },
    all: { type: "boolean", help: "play every tune found, not only the first" },
    lenient: { type: "boolean", help: "show and play tunes the parser warns about instead of failing" },
    "max-seconds": { type: "number", help: "seconds of audio rendered per tune at most", default: 180 },
  },
  async run(ctx, args) {
    const engine = args.options.engine;
    if (engine !== "builtin" && engine !== "timidity") ctx.usageError(`--engine must be builtin or timidity, got ${JSON.stringify(engine)}`);
    if (engine === "timidity") {
      const { timidityAvailable } = await import("../../../lib/music/timidity");
      if (!timidityAvailable()) ctx.usageError("--engine timidity needs abc2midi and timidity on PATH (apt-get install abcmidi timidity); the builtin engine needs nothing");
    }
    let texts: string[];
    if (args.invokedAs === "cell") {
      if (args.positionals.length > 0) ctx.usageError("%%play takes the tune from the cell body; put only options on the first line");
      texts = [args.body ?? ""];
    } else {
      if (args.positionals.length === 0) ctx.usageError("give a tune: %play $tune, or %%play with the ABC text as the cell body");
      const ref = args.positionals.length === 1 ? args.refs[0] : undefined;
      if (ref) {
        const v = ref.value;
        if (typeof v === "string") texts = [v];
        else if (isSongLike(v)) texts = [v.abc];
        else if (Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === "string" || isSongLike(t))) texts = v.map((t) => (typeof t === "string" ? t : t.abc));
        else if (v !== null && typeof v === "object" && typeof (v as { text?: unknown }).text === "string") texts = [(v as { text: string }).text];
        else return ctx.usageError(`\`${ref.written}\` is ${describeValue(v)}, expected ABC text (a string, an sl.Song, generated text or an array of tunes)`);
      } else {
        texts = [args.positionals.join(" ").replace(/\\n/g, "\n")];
      }
    }
    const tunes: string[] = [];
    for (const text of texts) {
      const found = await tunesIn(text);
      // A lone tune without X:/K: headers (just notes) still plays.
      tunes.push(...(found.length > 0 ? found : text.trim() !== "" ? [text.trim()] : []));
    }
    if (tunes.length === 0) ctx.usageError("no tune found: the ABC text is empty");
    const maxSeconds = positiveNumber(ctx, "max-seconds", args.options["max-seconds"]);
    const shown = args.options.all ? tunes : tunes.slice(0, 1);
    if (!args.options.lenient) await refuseInvalid(shown);
    await showTunes(ctx, shown, { engine: engine as "builtin" | "timidity", maxSeconds, maxSecondsOption: "--max-seconds" });
    const { plural } = await import("../../../lib/viz/format");
    if (!args.options.all && tunes.length > 1) ctx.print(`(${plural(tunes.length - 1, "more tune")} in the text; --all plays them all)`);
    return undefined;
  },
};
