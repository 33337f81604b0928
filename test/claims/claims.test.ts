/**
 * lib/claims.ts in plain Node: which mode a failed claim gets (SEQLAB_CLAIMS, CI, what the
 * host says about the frontend), and what claim() prints, throws or warns in each.
 */
import { expect } from "chai";
import { claim, claimMode, ClaimFailedError, CLAIMS_ENV } from "../../lib/claims";
import { hostIsInteractive, setHostInteractive } from "../../lib/runtime";
import { captureConsole } from "../console-capture";

describe("claims: a failed claim throws headless and warns interactively", function () {
  const saved = { ci: process.env.CI, mode: process.env[CLAIMS_ENV], interactive: hostIsInteractive() };
  const restoreEnv = (key: string, value: string | undefined): void => {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  };
  beforeEach(() => {
    delete process.env.CI;
    delete process.env[CLAIMS_ENV];
    setHostInteractive(undefined);
  });
  afterEach(() => {
    restoreEnv("CI", saved.ci);
    restoreEnv(CLAIMS_ENV, saved.mode);
    setHostInteractive(saved.interactive);
  });

  it("decides the mode: override, then CI, then the frontend, else throw", () => {
    expect(claimMode({}).mode, "outside a kernel").to.equal("throw");
    setHostInteractive(false);
    expect(claimMode({})).to.deep.equal({ mode: "throw", reason: "a headless run" });
    setHostInteractive(true);
    expect(claimMode({})).to.deep.equal({ mode: "warn", reason: "an interactive session" });
    expect(claimMode({ CI: "true" }).mode, "CI beats the frontend").to.equal("throw");
    expect(claimMode({ CI: "false" }).mode, "CI=false is not CI").to.equal("warn");
    expect(claimMode({ CI: "true", [CLAIMS_ENV]: "warn" }).mode, "the override beats CI").to.equal("warn");
    setHostInteractive(false);
    expect(claimMode({ [CLAIMS_ENV]: " warn " }).mode, "the override beats a headless run").to.equal("warn");
    setHostInteractive(true);
    expect(claimMode({ [CLAIMS_ENV]: "throw" }).mode, "the override beats an interactive session").to.equal("throw");
  });

  it("a claim that holds prints ✔ with its value and returns true, in either mode", async () => {
    for (const interactive of [false, true]) {
      setHostInteractive(interactive);
      const run = await captureConsole(() => claim("loss falls", 0.25, true));
      expect(run).to.deep.include({ value: true, log: "✔ loss falls: 0.25\n", warn: "" });
    }
  });

  it("headless, a failed claim prints ✘ and throws ClaimFailedError naming the claim and its value", async () => {
    setHostInteractive(false);
    const run = await captureConsole(() => claim("vanilla RNN at gap 20 stays near chance", "1.000", false));
    expect(run.log).to.equal("✘ vanilla RNN at gap 20 stays near chance: 1.000\n");
    expect(run.error).to.be.instanceOf(ClaimFailedError);
    expect((run.error as Error).message).to.equal("claim failed: vanilla RNN at gap 20 stays near chance (got 1.000)");
    expect(run.warn).to.equal("");
  });

  it("interactive, a failed claim prints ✘, warns on stderr saying how to make it stop, and returns false", async () => {
    setHostInteractive(true);
    const run = await captureConsole(() => claim("accuracy above 0.9", 0.5, false));
    expect(run.error).to.equal(undefined);
    expect(run.value).to.equal(false);
    expect(run.log).to.equal("✘ accuracy above 0.9: 0.5\n");
    expect(run.warn).to.contain("claim failed: accuracy above 0.9 (got 0.5)").and.contain("goes on (an interactive session)").and.contain(`${CLAIMS_ENV}=throw`);
  });

  it("CI=true throws even in an interactive session", async () => {
    setHostInteractive(true);
    process.env.CI = "true";
    expect((await captureConsole(() => claim("x", 1, false))).error).to.be.instanceOf(ClaimFailedError);
  });

  it("a misspelt SEQLAB_CLAIMS is an error saying the values it takes, even when the claim holds", async () => {
    process.env[CLAIMS_ENV] = "warning";
    const run = await captureConsole(() => claim("x", 1, true));
    expect((run.error as Error).message).to.contain('SEQLAB_CLAIMS="warning" is not a claim mode').and.contain('"throw"').and.contain('"warn"');
  });
});
