// The results of `msinet coloc` as one result set (cli/result-set.ts): clusters.npy,
// clusters.csv, embeddings.npy, montage.png (as bytes by io/coloc-results.ts, shared with the
// web app), and report.json, written last, listing the others.
import { colocFiles } from '../io/coloc-results.ts';
import type { ColocResult } from '../model/coloc/coloc.ts';
import { writeResultSet } from './result-set.ts';

export { clustersCsv, imageName } from '../io/coloc-results.ts';

/** The files of a coloc result set (checked against the inputs before any work). */
export const COLOC_OUTPUTS = ['clusters.npy', 'clusters.csv', 'embeddings.npy', 'montage.png', 'report.json'] as const;

/** prepared: the [0, 1] images the method saw (for the montage). */
export async function writeColocOutputs(outDir: string, result: ColocResult, prepared: Float32Array, mz?: Float64Array): Promise<string[]> {
  return writeResultSet(outDir, {
    files: colocFiles(result, prepared, mz),
    commit: { name: 'report.json', data: (files) => JSON.stringify({ ...result.report, files }, null, 2) + '\n' },
  });
}
