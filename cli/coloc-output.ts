// The results of `msinet coloc` as one result set (cli/result-set.ts): clusters.npy,
// clusters.csv, embeddings.npy, montage.png, and report.json, written last, listing the others.
import { toCsv } from '../io/csv.ts';
import { renderMontage } from '../io/montage.ts';
import { encodeNpy } from '../io/npy.ts';
import type { ColocResult } from '../model/coloc/coloc.ts';
import { writeResultSet } from './result-set.ts';

/** The files of a coloc result set (checked against the inputs before any work). */
export const COLOC_OUTPUTS = ['clusters.npy', 'clusters.csv', 'embeddings.npy', 'montage.png', 'report.json'] as const;

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
  return writeResultSet(outDir, {
    files: [
      { name: 'clusters.npy', data: encodeNpy(result.clusters, [n]) },
      { name: 'clusters.csv', data: clustersCsv(result, mz) },
      { name: 'embeddings.npy', data: encodeNpy(result.embeddings, [n, result.embeddingSize]) },
      { name: 'montage.png', data: renderMontage(prepared, n, height, width, result.clusters, captions) },
    ],
    commit: { name: 'report.json', data: (files) => JSON.stringify({ ...result.report, files }, null, 2) + '\n' },
  });
}
