// Checks on the parsed header that need the whole spectrum table, made before a single array
// is read (issue 9): a hostile or corrupt header must not make the reader allocate gigabytes,
// and every consumer (info, segment) must see the same verdict. No Node built-ins.
// (Per-array plausibility, such as the zlib expansion ratio, is checked while parsing.)
import { ImzmlError } from './errors.ts';
import type { SpectrumTable } from './spectrum-table.ts';

/** Throws an ImzmlError when spectrum i declares more points than the cap. */
export function checkDeclaredPoints(table: SpectrumTable, i: number, ibdName: string, maxPoints: number): void {
  const points = Math.max(table.mzLength[i]!, table.intLength[i]!);
  if (points > maxPoints) {
    throw new ImzmlError(
      ibdName,
      `declares ${points} points, over the limit of ${maxPoints} points per spectrum (a corrupt header, or raise the limit with --max-spectrum-points)`,
      i,
    );
  }
}

/**
 * The first spectrum (document order) whose pixel an earlier spectrum already holds, and that
 * earlier one. One bit per grid pixel (at most 32 MB for the largest grid the reader accepts).
 */
export function firstDuplicatePixel(table: SpectrumTable, width: number, height: number): { spectrum: number; holder: number } | null {
  const seen = new Uint8Array(Math.ceil((width * height) / 8));
  const pixel = (i: number) => (table.y[i]! - 1) * width + (table.x[i]! - 1);
  for (let i = 0; i < table.count; i++) {
    const p = pixel(i);
    if (p < 0 || p >= width * height) continue; // off-grid positions are reported elsewhere
    if (seen[p >> 3]! & (1 << (p & 7))) {
      for (let j = 0; j < i; j++) if (pixel(j) === p) return { spectrum: i, holder: j };
    }
    seen[p >> 3]! |= 1 << (p & 7);
  }
  return null;
}
