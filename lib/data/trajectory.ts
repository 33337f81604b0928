/**
 * A ball thrown in a box under gravity, bouncing off the floor and walls. For the lecture's
 * point that the next position depends on the past (the velocity), not only on the present.
 */
import { RngLike, toRng } from "../random";

export interface TrajectoryOptions {
  /** Positions per trajectory (default 60). */
  steps?: number;
  /** Seconds per step (default 0.05). */
  dt?: number;
  /** Downward acceleration (default 9.81). */
  gravity?: number;
  /** Speed kept at a bounce, 0..1 (default 0.9). */
  restitution?: number;
  /** Box width and height (default 10 x 10); the floor is y = 0. */
  width?: number;
  height?: number;
  /** Standard deviation of noise added to the observed positions (default 0). */
  noise?: number;
  seed?: RngLike;
}

export interface Trajectory {
  /** [steps][2]: x, y. */
  positions: number[][];
  /** [steps][2]: vx, vy at each position. */
  velocities: number[][];
  /** Steps at which the ball bounced (the move into that step hit a wall or the floor). */
  bounces: number[];
}

function checkPositive(name: string, v: number, integer = false): void {
  if (!(v > 0) || (integer && !Number.isInteger(v))) {
    throw new RangeError(`ballTrajectory: ${name} must be a positive ${integer ? "integer" : "number"}, got ${v}`);
  }
}

/** One trajectory from a random start inside the box with a random velocity. */
export function ballTrajectory(options: TrajectoryOptions = {}): Trajectory {
  const { steps = 60, dt = 0.05, gravity = 9.81, restitution = 0.9, width = 10, height = 10, noise = 0 } = options;
  checkPositive("steps", steps, true);
  checkPositive("dt", dt);
  checkPositive("width", width);
  checkPositive("height", height);
  if (!(restitution >= 0 && restitution <= 1)) throw new RangeError(`ballTrajectory: restitution must be in [0, 1], got ${restitution}`);
  const rng = toRng(options.seed);
  let x = width * (0.2 + 0.6 * rng.next());
  let y = height * (0.3 + 0.6 * rng.next());
  let vx = (rng.next() * 2 - 1) * 4;
  let vy = (rng.next() * 2 - 1) * 4;
  const positions: number[][] = [];
  const velocities: number[][] = [];
  const bounces: number[] = [];
  for (let t = 0; t < steps; t++) {
    positions.push([x + noise * rng.normal(), y + noise * rng.normal()]);
    velocities.push([vx, vy]);
    // Semi-implicit Euler, then reflect off whichever walls were crossed.
    vy -= gravity * dt;
    x += vx * dt;
    y += vy * dt;
    let bounced = false;
    if (y < 0) {
      y = -y * restitution;
      vy = -vy * restitution;
      bounced = true;
    }
    if (y > height) {
      y = height - (y - height);
      vy = -vy;
      bounced = true;
    }
    if (x < 0 || x > width) {
      x = x < 0 ? -x : 2 * width - x;
      vx = -vx * restitution;
      bounced = true;
    }
    if (bounced && t + 1 < steps) bounces.push(t + 1);
  }
  return { positions, velocities, bounces };
}

/** `count` trajectories, each from its own stream of the seed. */
export function ballTrajectories(count: number, options: TrajectoryOptions = {}): Trajectory[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`ballTrajectories: count must be a positive integer, got ${count}`);
  const rng = toRng(options.seed);
  return Array.from({ length: count }, () => ballTrajectory({ ...options, seed: rng.next() }));
}

export interface NextPositionSet {
  /** [n][history][2]: the last `history` positions (history 1 = only the current one). */
  inputs: number[][][];
  /** [n][2]: the position that follows. */
  targets: number[][];
}

/** Sliding windows: predict the next position from the last `history` positions. */
export function nextPositionWindows(trajectories: readonly Trajectory[], history: number): NextPositionSet {
  if (!Number.isInteger(history) || history < 1) throw new RangeError(`nextPositionWindows: history must be a positive integer, got ${history}`);
  const inputs: number[][][] = [];
  const targets: number[][] = [];
  for (const { positions } of trajectories) {
    if (positions.length <= history) {
      throw new RangeError(`nextPositionWindows: a trajectory of ${positions.length} positions is too short for history ${history}; generate more steps`);
    }
    for (let t = history; t < positions.length; t++) {
      inputs.push(positions.slice(t - history, t).map((p) => p.slice()));
      targets.push(positions[t].slice());
    }
  }
  return { inputs, targets };
}
