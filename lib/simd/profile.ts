/** Milliseconds the fused recurrence spends per phase, for benchmarks' breakdowns (bench/lstm.ts). */

const profile: Record<string, number> = {};
let profileMark = 0;

/** Close the current phase: charge the time since the previous mark to `phase` (none: just start timing). */
export function mark(phase?: string): void {
  const now = performance.now();
  if (phase) profile[phase] = (profile[phase] ?? 0) + (now - profileMark);
  profileMark = now;
}

export function resetSimdProfile(): void {
  for (const key of Object.keys(profile)) delete profile[key];
}

/** Time per phase divided by `steps` (e.g. training steps), or undefined when nothing ran. */
export function simdProfile(steps = 1): Record<string, number> | undefined {
  const keys = Object.keys(profile);
  if (!keys.length) return undefined;
  return Object.fromEntries(keys.map((k) => [k, Math.round((profile[k] / steps) * 10) / 10]));
}
