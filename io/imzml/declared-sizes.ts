// What the XML header declares about each spectrum, checked against what can be true before a
// single array is read: a hostile or corrupt header must not make the reader allocate
// gigabytes (issue 9, finding 1). No Node built-ins.
import { ITEM_SIZE } from './cv-terms.ts';
import { ImzmlError } from './errors.ts';
import type { SpectrumTable } from './spectrum-table.ts';

/**
 * deflate's best case is 1032:1 (a 258-byte match in a 2-bit code, RFC 1951); zlib adds 6
 * bytes of header and checksum. A compressed array that declares more than this is corrupt.
 */
const DEFLATE_MAX_RATIO = 1032;

/** Throws an ImzmlError when spectrum i declares more than the cap or than its bytes can hold. */
export function checkDeclaredSizes(table: SpectrumTable, i: number, ibdName: string, maxPoints: number): void {
  const points = table.mzLength[i]!;
  if (points > maxPoints) {
    throw new ImzmlError(
      ibdName,
      `declares ${points} points, over the limit of ${maxPoints} points per spectrum (a corrupt header, or raise the limit with --max-spectrum-points)`,
      i,
    );
  }
  for (const [what, length, encoded, format] of [
    ['m/z', table.mzLength[i]!, table.mzEncoded[i]!, table.mzFormat[i]!],
    ['intensity', table.intLength[i]!, table.intEncoded[i]!, table.intFormat[i]!],
  ] as const) {
    const size = ITEM_SIZE[(['f32', 'f64', 'i32', 'i64'] as const)[format & 3]];
    const bytes = length * size;
    const zlib = (format & 4) !== 0;
    if (!zlib && encoded !== bytes) {
      throw new ImzmlError(ibdName, `${what} array: ${encoded} bytes declared for ${length} values of ${size} bytes (${bytes} expected)`, i);
    }
    if (zlib && bytes > Math.max(0, encoded - 6) * DEFLATE_MAX_RATIO + 64) {
      throw new ImzmlError(ibdName, `${what} array: ${length} values (${bytes} bytes) cannot come from ${encoded} bytes of zlib data (at most ${DEFLATE_MAX_RATIO}:1)`, i);
    }
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
