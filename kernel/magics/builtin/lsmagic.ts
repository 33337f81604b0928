/** %lsmagic: what magics exist. */
import { listMagics } from "../help";
import type { MagicRegistry } from "../registry";
import type { MagicSpec } from "../types";

export const lsmagicMagic: MagicSpec = {
  name: "lsmagic",
  kind: "line",
  usage: "%lsmagic",
  help: "Lists the line and cell magics available. Use %name? for the help of one magic.",
  positionals: false,
  run(ctx) {
    ctx.print(listMagics(ctx.registry as MagicRegistry));
    return undefined;
  },
};
