// Weighted softmax cross-entropy (kernels/weighted_xent.ts): sum_r w_r CE_r / sum_r w_r over the
// rows with a target (t_r >= 0). Used by self-labelling, where only confident rows have targets
// and their weights balance the classes.
import { weightedXentBackwardKernel, weightedXentForwardKernel } from '../../kernels/weighted_xent.ts';
import type { Tensor } from '../tensor.ts';
import { sumScaledRaw } from './reduce.ts';

/**
 * logits [N, C], targets i32 [N] (-1 = no target), weights [N] on the CPU (their sum over rows
 * with a target normalises the loss) -> [1]. Targets and weights get no gradient.
 */
export function weightedCrossEntropy(logits: Tensor, targets: Int32Array, weights: Float32Array): Tensor {
  if (logits.shape.length !== 2) throw new Error(`weightedCrossEntropy: expected [N, C], got ${logits}`);
  const [n, c] = [logits.shape[0]!, logits.shape[1]!];
  if (targets.length !== n || weights.length !== n) throw new Error(`weightedCrossEntropy: ${targets.length} targets / ${weights.length} weights for ${n} rows`);
  let total = 0;
  for (let r = 0; r < n; r++) {
    if (targets[r]! >= c) throw new Error(`weightedCrossEntropy: target ${targets[r]} out of ${c} classes`);
    if (targets[r]! >= 0) total += weights[r]!;
  }
  const scale = total > 0 ? 1 / total : 0;
  const rt = logits.rt;
  const t = rt.fromData(targets, [n], 'i32'), w = rt.fromData(weights, [n]);
  const rowLoss = rt.empty([n]), lse = rt.empty([n]);
  rt.dispatch(weightedXentForwardKernel(), { x: logits, t, w, rowLoss, lse, p: { n, c } }, n);
  const loss = sumScaledRaw(rowLoss, scale);
  rowLoss.dispose();
  return rt.tape.record('weightedCrossEntropy', [logits], loss, (g) => {
    const dx = rt.empty(logits.shape);
    rt.dispatch(weightedXentBackwardKernel(), { x: logits, t, w, lse, g, dx, p: { n, c, scale } }, n);
    return [dx];
  });
}
