// Sparse acquisitions: imzML files often measure only part of the grid (spots on a canvas, or
// every few pixels). How the pixels without a spectrum (the mask's zeros) take part in training:
//   'zeros'   they enter the network as 0 like any pixel: convolutions, BatchNorm statistics and
//             losses all see them (the behaviour before this option);
//   'exclude' they still pass through the convolutions (as 0), but the BatchNorm statistics and
//             the three losses use the measured pixels only;
//   'fill'    before the superpixels and the network, each is filled from its measured
//             neighbours (fillMasked), then training runs as with 'zeros';
//   'both'    fill, then exclude.
// Measured in bench/sparse.ts (table in the README). No Node built-ins here.
import { SEGMENT_DEFAULTS as D } from './defaults.ts';

export const SPARSE_MODES = ['zeros', 'exclude', 'fill', 'both'] as const;
export type SparseMode = (typeof SPARSE_MODES)[number];
/** The measured choice (bench/sparse.ts, README "Sparse acquisitions"). */
export const SPARSE_DEFAULT: SparseMode = D.sparse;

export const usesFill = (mode: SparseMode): boolean => mode === 'fill' || mode === 'both';
export const usesExclude = (mode: SparseMode): boolean => mode === 'exclude' || mode === 'both';

/**
 * Fills the unmeasured pixels of a row-major [H*W, C] image from measured neighbours, in rounds:
 * every still-empty pixel with at least one known pixel among its 8 neighbours takes the mean of
 * those (values known at the start of the round, so the result does not depend on the visiting
 * order). Rounds go on until every pixel is known: a nearest-neighbour fill that averages ties.
 * Measured pixels are unchanged. Returns a new array; throws when nothing is measured.
 */
export function fillMasked(image: Float32Array, mask: ArrayLike<number>, height: number, width: number, channels: number): Float32Array {
  const n = height * width;
  if (image.length !== n * channels) throw new Error(`fillMasked: ${image.length} values for ${n} pixels x ${channels} channels`);
  if (mask.length !== n) throw new Error(`fillMasked: mask has ${mask.length} pixels, the image ${n}`);
  const out = Float32Array.from(image);
  const known = Uint8Array.from({ length: n }, (_, i) => (mask[i] ? 1 : 0));
  let todo: number[] = [];
  for (let i = 0; i < n; i++) if (!known[i]) todo.push(i);
  if (todo.length === n) throw new Error('fillMasked: no measured pixel to fill from');
  const sum = new Float64Array(channels);
  while (todo.length) {
    const filled: number[] = [];
    const left: number[] = [];
    for (const i of todo) {
      const y = Math.floor(i / width), x = i - y * width;
      sum.fill(0);
      let count = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy, xx = x + dx;
          if ((dy === 0 && dx === 0) || yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
          const j = yy * width + xx;
          if (known[j] !== 1) continue;
          count++;
          for (let c = 0; c < channels; c++) sum[c]! += out[j * channels + c]!;
        }
      if (count === 0) {
        left.push(i);
        continue;
      }
      for (let c = 0; c < channels; c++) out[i * channels + c] = sum[c]! / count;
      filled.push(i);
    }
    // Mark after the round: pixels filled in this round are not sources within it.
    for (const i of filled) known[i] = 1;
    todo = left;
  }
  return out;
}
