/** Checking nested arrays of token ids before they become a tensor (tf would misread ragged rows). */
import { plural } from "../viz/format";

/** A path into nested rows for messages: "row 3", "row 3, position 2". */
function where(path: number[]): string {
  return path.map((index, depth) => `${depth === 0 ? "row" : "position"} ${index}`).join(", ");
}

/**
 * Throws unless `rows` is a rectangular nest of integer ids (every row as long as the
 * first), naming the first row of another length: tf.tensor would otherwise reshape the
 * values silently, or fail later with "Invalid typed array length".
 */
export function checkIdRows(rows: unknown, what = "ids"): void {
  const visit = (value: unknown, path: number[], expected: number[]): void => {
    if (!Array.isArray(value)) {
      if (typeof value !== "number" || !Number.isInteger(value)) {
        throw new TypeError(`${what}: ${where(path) || "the value"} is ${JSON.stringify(value) ?? String(value)}, expected an integer token id`);
      }
      return;
    }
    const depth = path.length;
    if (expected[depth] === undefined) expected[depth] = value.length;
    else if (value.length !== expected[depth]) {
      const first = path.map(() => 0);
      throw new RangeError(
        `${what} has rows of different lengths: ${where(path)} has ${plural(value.length, "id")}, but ${where(first)} has ${expected[depth]}; ` +
          "every row of a batch needs the same length (pad the shorter rows with sl.padSequences, or cut the rows to one length)",
      );
    }
    value.forEach((item, i) => visit(item, [...path, i], expected));
  };
  visit(rows, [], []);
}
