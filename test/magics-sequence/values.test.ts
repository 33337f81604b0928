import { expect } from "chai";
import { bindVariable } from "../../kernel/magics/sequence/values";
import type { MagicContext } from "../../kernel/magics/types";

/** The parts of a MagicContext bindVariable uses, with a runCode that fails as given. */
function contextWhoseRunCode(fail: (controller: AbortController) => Error): { ctx: MagicContext; namespace: Record<string, unknown> } {
  const controller = new AbortController();
  const namespace: Record<string, unknown> = {};
  const runCode = async () => {
    throw fail(controller);
  };
  return { ctx: { namespace, runCode, signal: controller.signal } as unknown as MagicContext, namespace };
}

describe("bindVariable", function () {
  it("lets an interrupt that lands during the declaration through, with the value already set", async () => {
    const interrupt = Object.assign(new Error("interrupted by the user"), { name: "KeyboardInterrupt" });
    const { ctx, namespace } = contextWhoseRunCode((controller) => {
      controller.abort(interrupt);
      return interrupt;
    });
    const thrown = await bindVariable(ctx, "history", 42, "number").then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(thrown).to.equal(interrupt);
    expect(namespace.history).to.equal(42);
  });

  it("keeps the value when only the declaration fails (a host whose runCode is not TypeScript)", async () => {
    const { ctx, namespace } = contextWhoseRunCode(() => new SyntaxError("Unexpected token ':'"));
    await bindVariable(ctx, "history", 42, "number");
    expect(namespace.history).to.equal(42);
  });
});
