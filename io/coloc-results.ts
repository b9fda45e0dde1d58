// What `msinet coloc` and the web app's coloc tab share around coloc(): the ion images of a
// pixel x feature matrix, the names of images, the query by index or m/z, and the result files
// as bytes (clusters.npy, clusters.csv, embeddings.npy, montage.png). Pure functions, no Node
// built-ins: the CLI writes these bytes to a folder, the page offers them as downloads.
import { toCsv } from './csv.ts';
import { renderMontage } from './montage.ts';
import { encodeNpy } from './npy.ts';
import { ColocInputError } from '../model/coloc/prepare.ts';
import type { ColocResult } from '../model/coloc/coloc.ts';

/** Pixel-major [P, C] features -> C images [C, P]. */
export function imagesOfColumns(features: Float32Array, pixels: number, c: number): Float32Array {
  const out = new Float32Array(pixels * c);
  for (let p = 0; p < pixels; p++) for (let j = 0; j < c; j++) out[j * pixels + p] = features[p * c + j]!;
  return out;
}

/** The label of image i: its m/z to 4 decimals when known, else its index. */
export function imageName(i: number, mz?: Float64Array | null): string {
  return mz ? mz[i]!.toFixed(4) : String(i);
}

/**
 * "#12" or an integer without m/z = image index; otherwise the image with the nearest m/z.
 * Throws ColocInputError (message without the option's name; the CLI adds "--query").
 */
export function resolveQuery(q: string, n: number, mz?: Float64Array | null): number {
  const s = q.trim();
  const asIndex = s.startsWith('#') ? s.slice(1) : !mz ? s : null;
  if (asIndex !== null) {
    const i = Number(asIndex);
    if (asIndex.trim() === '' || !Number.isInteger(i) || i < 0 || i >= n) throw new ColocInputError(`${q}: not an image index in 0..${n - 1}`);
    return i;
  }
  const target = Number(s);
  if (s === '' || !Number.isFinite(target)) throw new ColocInputError(`must be an m/z or #index, got "${q}"`);
  let best = 0;
  for (let i = 1; i < n; i++) if (Math.abs(mz![i]! - target) < Math.abs(mz![best]! - target)) best = i;
  return best;
}

export function clustersCsv(result: Pick<ColocResult, 'clusters' | 'confidence'>, mz?: Float64Array | null): string {
  const rows = Array.from(result.clusters, (c, i) => [i, mz ? Number(mz[i]!.toFixed(6)) : '', c, Number(result.confidence[i]!.toFixed(4))]);
  return toCsv(rows, ['index', 'mz', 'cluster', 'confidence']);
}

export interface ColocFile {
  name: 'clusters.npy' | 'clusters.csv' | 'embeddings.npy' | 'montage.png';
  data: Uint8Array | string;
}

/**
 * Every result file but report.json (whose final form lists these), in the CLI's order.
 * prepared: the [0, 1] images the method saw (for the montage); captions are m/z to 2
 * decimals, or indices.
 */
export function colocFiles(result: ColocResult, prepared: Float32Array, mz?: Float64Array | null): ColocFile[] {
  const { images: n, height, width } = result.report;
  const captions = Array.from({ length: n }, (_, i) => (mz ? mz[i]!.toFixed(2) : String(i)));
  return [
    { name: 'clusters.npy', data: encodeNpy(result.clusters, [n]) },
    { name: 'clusters.csv', data: clustersCsv(result, mz) },
    { name: 'embeddings.npy', data: encodeNpy(result.embeddings, [n, result.embeddingSize]) },
    { name: 'montage.png', data: renderMontage(prepared, n, height, width, result.clusters, captions) },
  ];
}
