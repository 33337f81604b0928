/** %env: list, read and set environment variables of the kernel process. */
import type { MagicSpec } from "../types";

export const envMagic: MagicSpec = {
  name: "env",
  kind: "line",
  usage: "%env  |  %env NAME  |  %env NAME=value  |  %env NAME value",
  help: "Without arguments lists the environment; with NAME returns its value; with NAME=value\n(or NAME value) sets it for the kernel and the processes it starts. $name and {expr} expand.",
  args: "raw",
  expandVariables: true,
  run(ctx, args) {
    const text = args.rest.trim();
    if (text === "") {
      const names = Object.keys(process.env).sort();
      ctx.print(names.map((n) => `${n}=${process.env[n]}`).join("\n"));
      return undefined;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\s*=\s*|\s+)([\s\S]*)$/.exec(text);
    if (m) {
      let value = m[2];
      if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
      process.env[m[1]] = value;
      ctx.print(`env: ${m[1]}=${value}`);
      return undefined;
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) ctx.usageError(`${JSON.stringify(text)} is not a variable name`);
    const value = process.env[text];
    if (value === undefined) ctx.usageError(`environment variable ${text} is not set (set it with %env ${text}=value)`);
    return value;
  },
};
