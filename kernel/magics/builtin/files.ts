/** %%html and %%writefile. */
import fs from "fs";
import path from "path";
import type { MagicSpec } from "../types";

export const htmlMagic: MagicSpec = {
  name: "html",
  kind: "cell",
  usage: "%%html",
  help: "Shows the cell body as HTML.",
  positionals: false,
  run(ctx, args) {
    ctx.display({ [Symbol.for("Jupyter.display")]: () => ({ "text/html": args.body ?? "", "text/plain": "<HTML object>" }) });
    return undefined;
  },
};

export const writefileMagic: MagicSpec = {
  name: "writefile",
  kind: "cell",
  arguments: "FILE",
  help: "Writes the cell body to FILE (relative to the kernel's working directory), or appends with -a.",
  options: { append: { type: "boolean", short: "a", help: "append instead of overwriting" } },
  run(ctx, args) {
    if (args.positionals.length !== 1) ctx.usageError(args.positionals.length === 0 ? "missing FILE" : `expected one FILE, got ${args.positionals.length}: ${args.positionals.join(" ")} (quote a name with spaces)`);
    const file = path.resolve(args.positionals[0]);
    const exists = fs.existsSync(file);
    let body = args.body ?? "";
    if (!body.endsWith("\n")) body += "\n";
    try {
      if (args.options.append) fs.appendFileSync(file, body);
      else fs.writeFileSync(file, body);
    } catch (err) {
      ctx.usageError(`cannot write ${args.positionals[0]}: ${(err as Error).message}`);
    }
    ctx.print(`${args.options.append ? "Appending to" : exists ? "Overwriting" : "Writing"} ${args.positionals[0]}`);
    return undefined;
  },
};
