// Labels from responses: argmax over the channel axis and the number of distinct labels.
// No backward (labels are integers); the outputs never join the tape.
import {
  argmaxKernel,
  argmaxLanes,
  countNonzeroKernel,
  labelHistogramKernel,
} from '../../kernels/argmax.ts';
import type { Runtime } from '../runtime.ts';
import type { Tensor } from '../tensor.ts';
import { fill } from './elementwise.ts';

/** i32 [rows]: index of the largest channel (last axis) of every row; ties to the smallest index. */
export function argmax(x: Tensor): Tensor {
  const c = x.shape[x.shape.length - 1]!;
  if (c < 1) throw new Error(`argmax: ${x} has no channels`);
  const n = x.size / c;
  const labels = x.rt.empty([n], 'i32');
  const lanes = argmaxLanes(c);
  x.rt.dispatch(argmaxKernel(lanes), { x, labels, p: { n, c } }, n);
  return labels;
}

/**
 * u32 [numLabels]: how many times each label in [0, numLabels) occurs; others are ignored.
 * With a mask (u32, one per label, 0 = skip), only the rows where it is non-zero count.
 */
export function labelHistogram(labels: Tensor, numLabels: number, mask?: Tensor): Tensor {
  if (labels.dtype !== 'i32') throw new Error(`labelHistogram: labels must be i32, got ${labels}`);
  if (mask && (mask.dtype !== 'u32' || mask.size !== labels.size)) throw new Error(`labelHistogram: mask ${mask} is not u32 [${labels.size}]`);
  const rt: Runtime = labels.rt;
  const hist = rt.empty([numLabels], 'u32');
  fill(hist, 0); // f32 +0.0 has the bit pattern of u32 0
  const p = { n: labels.size, c: numLabels };
  if (mask) rt.dispatch(labelHistogramKernel(true), { labels, mask, hist, p }, labels.size);
  else rt.dispatch(labelHistogramKernel(), { labels, hist, p }, labels.size);
  return hist;
}

/** u32 [1]: the number of distinct labels in [0, numLabels) present (read it with readScalar). */
export function countDistinctLabels(labels: Tensor, numLabels: number, mask?: Tensor): Tensor {
  const hist = labelHistogram(labels, numLabels, mask);
  const count = labels.rt.empty([1], 'u32');
  labels.rt.dispatch(countNonzeroKernel(), { hist, count, p: { c: numLabels } }, [1, 1, 1]);
  hist.dispose();
  return count;
}
