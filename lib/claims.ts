/**
 * Claims: what a notebook measured, printed with its number and checked. What a failed claim
 * does is decided here, once for every notebook: a headless run (`seqlab run`, nbconvert,
 * papermill, CI, a script) throws, so a regression fails the run; an interactive session
 * prints a warning and the notebook goes on, so a student who changes a parameter can keep
 * exploring. SEQLAB_CLAIMS=throw|warn overrides the choice.
 */
import { hostIsInteractive } from "./runtime";

/** What a failed claim does: stop the run, or print a warning and go on. */
export type ClaimMode = "throw" | "warn";

/** The environment variable that overrides the mode ("throw" or "warn"). */
export const CLAIMS_ENV = "SEQLAB_CLAIMS";

/** Thrown by claim() when a claim fails in "throw" mode. */
export class ClaimFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClaimFailedError";
  }
}

export interface ClaimModeChoice {
  mode: ClaimMode;
  /** Why, in words (shown in the warning). */
  reason: string;
}

/** CI services set CI (GitHub Actions, GitLab, Travis, ... set "true"); "0" and "false" mean not CI. */
function onCi(env: NodeJS.ProcessEnv): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/**
 * The mode a failed claim gets now, first match wins: SEQLAB_CLAIMS when set; "throw" on CI;
 * "warn" when the kernel says a person is at the frontend (the cell's request allowed
 * input); else "throw" (headless runs, and code outside a kernel).
 */
export function claimMode(env: NodeJS.ProcessEnv = process.env): ClaimModeChoice {
  const chosen = env[CLAIMS_ENV]?.trim();
  if (chosen) {
    if (chosen === "throw" || chosen === "warn") return { mode: chosen, reason: `${CLAIMS_ENV}=${chosen}` };
    throw new Error(
      `${CLAIMS_ENV}=${JSON.stringify(chosen)} is not a claim mode: set it to "throw" (a failed claim stops the run) ` +
        `or "warn" (it prints a warning and the notebook goes on), or unset it to let seqlab decide`,
    );
  }
  if (onCi(env)) return { mode: "throw", reason: "CI is set" };
  const interactive = hostIsInteractive();
  if (interactive === true) return { mode: "warn", reason: "an interactive session" };
  return { mode: "throw", reason: interactive === false ? "a headless run" : "no notebook frontend" };
}

/**
 * Prints `✔ what: value` or `✘ what: value`; when the claim fails, throws ClaimFailedError or
 * warns on stderr, as claimMode() decides. Returns whether it held, so code can branch on it.
 */
export function claim(what: string, value: number | string, holds: boolean): boolean {
  // Decided before printing, so a misspelt SEQLAB_CLAIMS is reported even when claims hold.
  const { mode, reason } = claimMode();
  console.log(`${holds ? "✔" : "✘"} ${what}: ${value}`);
  if (holds) return true;
  const message = `claim failed: ${what} (got ${value})`;
  if (mode === "throw") throw new ClaimFailedError(message);
  console.warn(
    `⚠ ${message}. The notebook goes on (${reason}); a headless run (seqlab run, nbconvert, CI) stops here. ` +
      `Set ${CLAIMS_ENV}=throw to stop here too.`,
  );
  return false;
}
