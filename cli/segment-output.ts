// The results of `msinet segment` as one result set (cli/result-set.ts): the previous set in DIR
// stays complete until the new one is, and report.json, written last, lists the others.
import { encodeNpy } from '../io/npy.ts';
import { renderGray, renderLabels } from '../io/png.ts';
import { toCsv } from '../io/csv.ts';
import type { SegmentResult } from '../model/segment.ts';
import { writeResultSet, type WriteOptions } from './result-set.ts';

export interface SegmentTables {
  /** Column names of the feature means, e.g. feature indices or m/z values. */
  featureNames: string[];
  features: Float32Array;
  channels: number;
  /** m/z per feature when the input was imzML: adds top marker m/z per segment. */
  mz?: Float64Array;
}

export function segmentsCsv(result: SegmentResult, t: SegmentTables, markers = 5): string {
  const { labels } = result;
  const k = result.report.labels;
  const c = t.channels;
  const count = new Float64Array(k), sums = new Float64Array(k * c), total = new Float64Array(c);
  let all = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l < 0) continue;
    count[l]!++;
    all++;
    for (let j = 0; j < c; j++) {
      const v = t.features[i * c + j]!;
      sums[l * c + j]! += v;
      total[j]! += v;
    }
  }
  const header = ['label', 'pixels', ...(t.mz ? [`top_${markers}_markers_mz`] : []), ...t.featureNames.map((f) => `mean_${f}`)];
  const rows: (string | number)[][] = [];
  for (let l = 0; l < k; l++) {
    const mean = Array.from({ length: c }, (_, j) => (count[l]! > 0 ? sums[l * c + j]! / count[l]! : 0));
    const row: (string | number)[] = [l, count[l]!];
    if (t.mz) {
      // Marker = highest fold change of the segment's mean over the mean of all other pixels.
      const rest = all - count[l]!;
      const fold = mean.map((m, j) => {
        const other = rest > 0 ? (total[j]! - sums[l * c + j]!) / rest : 0;
        return m / Math.max(other, 1e-12 * Math.max(m, 1e-30));
      });
      const top = fold.map((f, j) => [f, j] as const).sort((a, b) => b[0] - a[0]).slice(0, markers);
      row.push(top.map(([f, j]) => `${t.mz![j]!.toFixed(4)} (x${f.toFixed(2)})`).join('; '));
    }
    row.push(...mean.map((v) => Number(v.toPrecision(6))));
    rows.push(row);
  }
  return toCsv(rows, header);
}

export async function writeSegmentOutputs(dir: string, result: SegmentResult, tables: SegmentTables, opts: WriteOptions = {}): Promise<string[]> {
  const { height, width } = result.report;
  return writeResultSet(
    dir,
    {
      files: [
        { name: 'labels.npy', data: encodeNpy(result.labels, [height, width]) },
        { name: 'segmentation.png', data: renderLabels(result.labels, height, width) },
        { name: 'segments.csv', data: segmentsCsv(result, tables) },
        // The fraction of restarts that agree with the label of each pixel: white = all of them,
        // black = none (and masked pixels); the scale is fixed so maps of two runs compare.
        { name: 'confidence.npy', data: encodeNpy(result.confidence, [height, width]) },
        { name: 'confidence.png', data: renderGray(result.confidence, height, width, { min: 0, max: 1 }) },
      ],
      // report.json is the commit record: it lists the other files with size and SHA-256.
      commit: { name: 'report.json', data: (files) => JSON.stringify({ ...result.report, files }, null, 2) + '\n' },
    },
    opts,
  );
}
