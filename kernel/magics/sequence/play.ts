/** %play / %%play: sheet music and audio for ABC tunes (lib/music's Song). */
import type { MagicSpec } from "../types";
import { describeValue } from "../types";
import { showTunes, tunesIn } from "./music";

function isSongLike(value: unknown): value is { abc: string } {
  return value !== null && typeof value === "object" && typeof (value as { abc?: unknown }).abc === "string";
}

export const playMagic: MagicSpec = {
  name: "play",
  kind: "both",
  usage: "%play [--engine builtin|timidity] [--all] ABC|$var   or   %%play with the tune as the cell body",
  help: [
    "Shows ABC tunes as sheet music (SVG drawn by abcjs) with an audio player (a WAV made",
    "offline by the built-in synthesizer, or by abc2midi + timidity with --engine timidity when",
    "they are installed), and says whether abcjs parsed each tune cleanly.",
    "The tune: a $variable holding ABC text (a string, an sl.Song, sl.SampledText, or an array",
    "of tunes), the text on the line (write \\n for line breaks), or, as %%play, the cell body.",
    "Text holding several tunes (separated by blank lines) plays the first; --all plays each.",
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
    engine: { type: "string", help: "builtin or timidity", default: "builtin" },
    all: { type: "boolean", help: "play every tune found, not only the first" },
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
    const shown = args.options.all ? tunes : tunes.slice(0, 1);
    const valid = await showTunes(ctx, shown, { engine: engine as "builtin" | "timidity" });
    if (!args.options.all && tunes.length > 1) ctx.print(`(${tunes.length - 1} more tunes in the text; --all plays them all)`);
    if (valid === 0 && shown.length > 0) ctx.printError("none of the tunes parsed cleanly; see the warnings above");
    return undefined;
  },
};
