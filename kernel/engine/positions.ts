/**
 * Jupyter counts cursor positions in Unicode code points; JavaScript strings and the
 * TypeScript services count UTF-16 code units. "😀" is one code point but two units.
 */

/** UTF-16 offset of the `codePoints`-th code point of `text` (clamped to its length). */
export function codePointsToUtf16(text: string, codePoints: number): number {
  let units = 0;
  for (let seen = 0; seen < codePoints && units < text.length; seen++) {
    const code = text.charCodeAt(units);
    units += code >= 0xd800 && code <= 0xdbff && units + 1 < text.length ? 2 : 1;
  }
  return units;
}

/** Number of code points in the first `units` UTF-16 units of `text`. */
export function utf16ToCodePoints(text: string, units: number): number {
  let points = 0;
  for (let i = 0; i < units && i < text.length; points++) {
    const code = text.charCodeAt(i);
    i += code >= 0xd800 && code <= 0xdbff && i + 1 < text.length ? 2 : 1;
  }
  return points;
}
