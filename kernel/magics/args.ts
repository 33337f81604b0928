/**
 * Reading a magic's argument text: `$name`/`{expr}` expansion from notebook values,
 * shell-like words (shell-quote), and option parsing (node:util parseArgs), with errors
 * that name the magic, the argument and the usage line.
 */
import { parseArgs } from "util";
import { parse as shellParse } from "shell-quote";
import { UsageError } from "../engine/errors";
import { usageLine } from "./help";
import type { MagicArgs, MagicOption, MagicSpec, ValueRef } from "./types";

/** How `$name` and `{expr}` are looked up (the engine supplies these). */
export interface ValueSource {
  /** The value of a notebook variable; `found: false` when there is none. */
  lookup(name: string): { found: boolean; value?: unknown };
  /** Evaluates an expression against the notebook's variables. */
  evaluate(expr: string): unknown;
}

const OPEN = "\uE000";
const CLOSE = "\uE001";
const PLACEHOLDER = /\uE000(\d+)\uE001/g;
const WHOLE_PLACEHOLDER = /^\uE000(\d+)\uE001$/;

export function usageMessage(spec: MagicSpec, message: string): string {
  return `%${spec.name}: ${message}\nUsage: ${usageLine(spec)}`;
}

/**
 * Replaces `$name` and `{expr}` outside single quotes with placeholders recorded in
 * `refs`. `$$` and `{{`/`}}` stand for a literal `$`, `{`, `}` (as in IPython).
 */
export function expandValues(text: string, source: ValueSource, spec: MagicSpec, refs: ValueRef[]): string {
  let out = "";
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      out += c;
      if (c === "'") quote = null;
      continue;
    }
    if (c === "\\" && i + 1 < text.length) {
      out += c + text[i + 1];
      i++;
      continue;
    }
    if (c === "'" && quote === null) {
      quote = "'";
      out += c;
      continue;
    }
    if (c === '"') {
      quote = quote === '"' ? null : '"';
      out += c;
      continue;
    }
    if (c === "$") {
      if (text[i + 1] === "$") {
        out += "\\$";
        i++;
        continue;
      }
      const m = /^[A-Za-z_$][\w$]*/.exec(text.slice(i + 1));
      if (!m) {
        out += "\\$";
        continue;
      }
      const found = source.lookup(m[0]);
      if (!found.found) {
        throw new UsageError(usageMessage(spec, `$${m[0]} is not defined in the notebook (define it in a cell first, or write $$ for a literal $)`));
      }
      refs.push({ written: `$${m[0]}`, value: found.value });
      out += `${OPEN}${refs.length - 1}${CLOSE}`;
      i += m[0].length;
      continue;
    }
    if (c === "{" || c === "}") {
      if (text[i + 1] === c) {
        out += c;
        i++;
        continue;
      }
      if (c === "}") {
        out += c;
        continue;
      }
      let depth = 0;
      let end = -1;
      for (let j = i; j < text.length; j++) {
        if (text[j] === "{") depth++;
        else if (text[j] === "}" && --depth === 0) {
          end = j;
          break;
        }
      }
      if (end < 0) throw new UsageError(usageMessage(spec, `unclosed { in ${JSON.stringify(text.slice(i))} (write {{ for a literal {)`));
      const expr = text.slice(i + 1, end);
      let value: unknown;
      try {
        value = source.evaluate(expr);
      } catch (err) {
        throw new UsageError(usageMessage(spec, `could not evaluate {${expr}}: ${(err as Error).message ?? String(err)}`));
      }
      refs.push({ written: `{${expr}}`, value });
      out += `${OPEN}${refs.length - 1}${CLOSE}`;
      i = end;
      continue;
    }
    out += c;
  }
  return out;
}

function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value === undefined || value === null) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Doubles the backslash of an unquoted `\n` or `\t`, which a shell would reduce to the
 * letter: in a magic's words it means a line break or tab (a one-line tune), as it does
 * between double quotes.
 */
function keepEscapedBreaks(text: string): string {
  let out = "";
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== null) {
      if (c === "\\" && quote === '"' && i + 1 < text.length) {
        out += c + text[++i];
        continue;
      }
      if (c === quote) quote = null;
      out += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (c === "\\" && i + 1 < text.length) {
      const next = text[++i];
      out += (next === "n" || next === "t" ? "\\\\" : "\\") + next;
    } else {
      out += c;
    }
  }
  return out;
}

/** Shell-like words; operators and comments are kept as literal text; `\n` stays `\n`. */
export function splitWords(text: string): string[] {
  return shellParse(keepEscapedBreaks(text), (key: string) => `$${key}`).map((entry) => {
    if (typeof entry === "string") return entry;
    if ("comment" in entry) return `#${entry.comment}`;
    if (entry.op === "glob") return (entry as { pattern: string }).pattern;
    return entry.op;
  });
}

function resolveWord(word: string, refs: ValueRef[]): { text: string; ref?: ValueRef } {
  const whole = WHOLE_PLACEHOLDER.exec(word);
  if (whole) {
    const ref = refs[Number(whole[1])];
    return { text: textOf(ref.value), ref };
  }
  return { text: word.replace(PLACEHOLDER, (_, n: string) => textOf(refs[Number(n)].value)) };
}

function convertOption(spec: MagicSpec, name: string, option: MagicOption, raw: string): string | number {
  if (option.type !== "number") return raw;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value)) {
    throw new UsageError(usageMessage(spec, `option --${name} expects a number, got ${JSON.stringify(raw)}`));
  }
  return value;
}

function emptyArgs(invokedAs: "line" | "cell", line: string, body?: string): MagicArgs {
  return { invokedAs, line, options: {}, positionals: [], refs: [], optionRefs: {}, rest: "", body };
}

function fillDefaults(spec: MagicSpec, args: MagicArgs): void {
  for (const [name, option] of Object.entries(spec.options ?? {})) {
    if (args.options[name] === undefined && option.default !== undefined) args.options[name] = option.default;
  }
}

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * `--steps -5` as `--steps=-5`: parseArgs takes a value that starts with "-" for an option,
 * and refuses it as ambiguous; a negative number after an option that takes a value is its
 * value (then checked by the magic, which says what range it needs).
 */
function attachNegativeValues(options: Record<string, MagicOption>, words: string[]): string[] {
  const byShort = new Map(Object.entries(options).filter(([, o]) => o.short).map(([n, o]) => [o.short as string, n]));
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const flag = /^--([\w-]+)$/.exec(words[i])?.[1] ?? byShort.get(/^-([A-Za-z])$/.exec(words[i])?.[1] ?? "");
    const option = flag !== undefined ? options[flag] : undefined;
    if (option && option.type !== "boolean" && NEGATIVE_NUMBER.test(words[i + 1] ?? "")) {
      out.push(`--${flag}=${words[++i]}`);
    } else {
      out.push(words[i]);
    }
  }
  return out;
}

/** Parses options from words with parseArgs; `words` may hold placeholders. */
function parseWords(spec: MagicSpec, words: string[], refs: ValueRef[], args: MagicArgs): void {
  const options = spec.options ?? {};
  const config: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const [name, option] of Object.entries(options)) {
    config[name] = { type: option.type === "boolean" ? "boolean" : "string" };
    // parseArgs refuses keys present with an undefined value.
    if (option.short !== undefined) config[name].short = option.short;
    if (option.multiple !== undefined) config[name].multiple = option.multiple;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: attachNegativeValues(options, words), options: config, allowPositionals: spec.positionals !== false, strict: true });
  } catch (err) {
    const message = (err as Error).message.replace(/\uE000(\d+)\uE001/g, (_, n: string) => refs[Number(n)].written);
    throw new UsageError(usageMessage(spec, message.split("\n")[0].replace(/\. To specify a positional.*$/, "")));
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    const option = options[name];
    if (typeof value === "boolean" || value === undefined) {
      args.options[name] = value;
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    const converted = values.map((v) => {
      if (typeof v !== "string") return convertOption(spec, name, option, String(v));
      const word = resolveWord(v, refs);
      if (word.ref) args.optionRefs[name] = word.ref;
      return convertOption(spec, name, option, word.text);
    });
    args.options[name] = Array.isArray(value) ? converted : converted[0];
  }
  for (const word of parsed.positionals) {
    const resolved = resolveWord(word, refs);
    args.positionals.push(resolved.text);
    args.refs.push(resolved.ref);
  }
}

/** "code" mode: options up to the first word that is not one, then the text as is. */
function parseLeadingOptions(spec: MagicSpec, text: string, args: MagicArgs): void {
  const options = spec.options ?? {};
  const byShort = new Map(Object.entries(options).filter(([, o]) => o.short).map(([n, o]) => [o.short as string, n]));
  let rest = text;
  for (;;) {
    const m = /^\s*(--?)([A-Za-z][\w-]*)(?:=(\S*))?(?=\s|$)/.exec(rest);
    if (!m) break;
    const [whole, dashes, key, inline] = m;
    const name = dashes === "--" ? key : byShort.get(key) ?? (key.length === 1 ? undefined : key);
    const option = name !== undefined ? options[name] : undefined;
    if (!option || name === undefined) {
      throw new UsageError(usageMessage(spec, `unknown option ${dashes}${key}`));
    }
    rest = rest.slice(whole.length);
    if (option.type === "boolean") {
      args.options[name] = true;
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const v = /^\s*(\S+)/.exec(rest);
      if (!v) throw new UsageError(usageMessage(spec, `option ${dashes}${key} needs a value`));
      raw = v[1];
      rest = rest.slice(v[0].length);
    }
    args.options[name] = convertOption(spec, name, option, raw);
  }
  args.rest = rest.replace(/^\s+/, "");
}

/** Reads the argument text of one magic call. */
export function parseMagicArgs(
  spec: MagicSpec,
  line: string,
  invokedAs: "line" | "cell",
  source: ValueSource,
  body?: string,
): MagicArgs {
  const args = emptyArgs(invokedAs, line, body);
  const mode = spec.args ?? "words";
  const expand = spec.expandVariables ?? mode === "words";
  const refs: ValueRef[] = [];
  if (mode === "raw") {
    args.rest = expand ? resolveWord(expandValues(line, source, spec, refs), refs).text : line.trim();
  } else if (mode === "code") {
    parseLeadingOptions(spec, expand ? expandValues(line, source, spec, refs) : line, args);
    if (expand) args.rest = resolveWord(args.rest, refs).text;
  } else {
    const words = splitWords(expand ? expandValues(line, source, spec, refs) : line);
    parseWords(spec, words, refs, args);
  }
  fillDefaults(spec, args);
  return args;
}
