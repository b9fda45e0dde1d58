// Writes the results of `msinet coloc` into DIR, atomically (cli/atomic-output.ts):
// clusters.npy, clusters.csv, embeddings.npy, montage.png, report.json (last).
import { toCsv } from '../io/csv.ts';
import { renderMontage } from '../io/montage.ts';
import { encodeNpy } from '../io/npy.ts';
import type { ColocResult } from '../model/coloc/coloc.ts';
import { writeFilesAtomically } from './atomic-output.ts';

/** The label of image i: its m/z to 4 decimals when known, else its index. */
export function imageName(i: number, mz?: Float64Array): string {
  return mz ? mz[i]!.toFixed(4) : String(i);
}

export function clustersCsv(result: ColocResult, mz?: Float64Array): string {
  const rows = Array.from(result.clusters, (c, i) => [i, mz ? Number(mz[i]!.toFixed(6)) : '', c, Number(result.confidence[i]!.toFixed(4))]);
  return toCsv(rows, ['index', 'mz', 'cluster', 'confidence']);
}

/** prepared: the [0, 1] images the method saw (for the montage). */
export async function writeColocOutputs(outDir: string, result: ColocResult, prepared: Float32Array, mz?: Float64Array): Promise<string[]> {
  const { images: n, height, width } = result.report;
  const captions = Array.from({ length: n }, (_, i) => (mz ? mz[i]!.toFixed(2) : String(i)));
  return writeFilesAtomically(outDir, [
    ['clusters.npy', encodeNpy(result.clusters, [n])],
    ['clusters.csv', clustersCsv(result, mz)],
    ['embeddings.npy', encodeNpy(result.embeddings, [n, result.embeddingSize])],
    ['montage.png', renderMontage(prepared, n, height, width, result.clusters, captions)],
    ['report.json', JSON.stringify(result.report, null, 2) + '\n'],
  ]);
}
