import { expect } from "chai";
import { builtinMagics } from "../../kernel/magics/builtin";
import { magicHelp, usageLine } from "../../kernel/magics/help";
import { MagicRegistry } from "../../kernel/magics/registry";
import { sequenceMagics } from "../../kernel/magics/sequence";
import type { MagicSpec } from "../../kernel/magics/types";

describe("magics: usage lines made from the declared options", () => {
  it("every magic's usage line names every option it accepts", () => {
    for (const spec of [...builtinMagics, ...sequenceMagics]) {
      const usage = usageLine(spec);
      for (const [name, option] of Object.entries(spec.options ?? {})) {
        expect(usage, `%${spec.name}`).to.contain(option.short ? `[-${option.short}` : `[--${name}`);
      }
      expect(magicHelp(spec, 1), `%${spec.name}?`).to.contain(usage);
    }
  });

  it("writes options as argparse does, with declared placeholders, then the arguments; both forms for line-and-cell magics", () => {
    const spec: MagicSpec = {
      name: "demo",
      kind: "both",
      arguments: "$model",
      cellArguments: "[setup]",
      help: "",
      options: {
        steps: { type: "number", short: "n", help: "" },
        vocab: { type: "string", value: "$vocab", help: "" },
        "max-length": { type: "string", help: "" },
        fresh: { type: "boolean", help: "" },
      },
      run: () => undefined,
    };
    expect(usageLine(spec)).to.equal("%demo [-n N] [--vocab $vocab] [--max-length MAX_LENGTH] [--fresh] $model  |  %%demo [-n N] [--vocab $vocab] [--max-length MAX_LENGTH] [--fresh] [setup]");
    expect(usageLine({ ...spec, kind: "cell", cellArguments: undefined, options: {} })).to.equal("%%demo $model");
  });

  it("a magic declares its arguments or writes its usage out", () => {
    const registry = new MagicRegistry();
    expect(() => registry.register({ name: "bare", kind: "line", help: "", run: () => undefined })).to.throw(TypeError, /give arguments/);
    expect(registry.register({ name: "old", kind: "line", usage: "%old X", help: "", run: () => undefined }).usage).to.equal("%old X");
  });
});
