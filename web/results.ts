// The downloads and per-segment summary of a finished run, built as bytes in the worker with
// the same encoders the CLI writes files with (labels.npy int32 [H, W], segmentation.png,
// report.json).
import { encodeNpy } from '../io/npy.ts';
import { renderGray, renderLabels } from '../io/png.ts';
import type { SegmentResult } from '../model/segment.ts';
import type { Segments } from './messages.ts';

export function resultFiles(r: SegmentResult): { labelsNpy: Uint8Array; png: Uint8Array; confidenceNpy: Uint8Array; confidencePng: Uint8Array; reportJson: string } {
  const { height, width } = r.report;
  return {
    labelsNpy: encodeNpy(r.labels, [height, width]),
    png: renderLabels(r.labels, height, width),
    // As the CLI writes them: the fraction of restarts agreeing with each pixel's label, 0..1.
    confidenceNpy: encodeNpy(r.confidence, [height, width]),
    confidencePng: renderGray(r.confidence, height, width, { min: 0, max: 1 }),
    reportJson: JSON.stringify(r.report, null, 2) + '\n',
  };
}

/** Pixel count and mean feature vector of each label (labels < 0 are left out). */
export function segmentSummary(labels: Int32Array, features: Float32Array, channels: number, mz: Float64Array | null): Segments {
  let k = 0;
  for (const l of labels) k = Math.max(k, l + 1);
  const counts = new Array<number>(k).fill(0);
  const sums = new Float64Array(k * channels);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l < 0) continue;
    counts[l]!++;
    for (let j = 0; j < channels; j++) sums[l * channels + j]! += features[i * channels + j]!;
  }
  const means = new Float32Array(k * channels);
  for (let l = 0; l < k; l++) for (let j = 0; j < channels; j++) means[l * channels + j] = counts[l]! ? sums[l * channels + j]! / counts[l]! : 0;
  return { counts, means, channels, mz };
}
