// Row softmax and mean softmax cross-entropy with integer targets, with backward rules.
import {
  softmaxBackwardKernel,
  softmaxKernel,
  xentBackwardKernel,
  xentForwardKernel,
} from '../../kernels/softmax_xent.ts';
import type { Tensor } from '../tensor.ts';
import { sumScaledRaw } from './reduce.ts';

function rowsCols(op: string, x: Tensor): [number, number] {
  if (x.shape.length !== 2) throw new Error(`${op}: expected [N, C], got ${x}`);
  return [x.shape[0]!, x.shape[1]!];
}

/** Softmax over the last axis of [N, C]. */
export function softmax(x: Tensor): Tensor {
  const [n, c] = rowsCols('softmax', x);
  const rt = x.rt;
  const y = rt.empty(x.shape);
  rt.dispatch(softmaxKernel(), { x, y, p: { n, c } }, n);
  return rt.tape.record('softmax', [x], y, (g) => {
    const dx = rt.empty(x.shape);
    rt.dispatch(softmaxBackwardKernel(), { y, dy: g, dx, p: { n, c } }, n);
    return [dx];
  });
}

/**
 * Mean over rows of -log softmax(logits)[target]: logits [N, C], targets i32 [N] with values
 * in [0, C) -> [1]. Numerically stable (the row max is subtracted before exp). Backward:
 * (softmax - onehot) / N times the upstream scalar; targets get no gradient.
 */
export function softmaxCrossEntropy(logits: Tensor, targets: Tensor): Tensor {
  const [n, c] = rowsCols('softmaxCrossEntropy', logits);
  if (targets.dtype !== 'i32' || targets.size !== n)
    throw new Error(`softmaxCrossEntropy: targets must be i32 [${n}], got ${targets}`);
  const rt = logits.rt;
  const rowLoss = rt.empty([n]);
  const lse = rt.empty([n]);
  rt.dispatch(xentForwardKernel(), { x: logits, t: targets, rowLoss, lse, p: { n, c } }, n);
  const loss = sumScaledRaw(rowLoss, 1 / n);
  rowLoss.dispose();
  return rt.tape.record('softmaxCrossEntropy', [logits, targets], loss, [
    (g) => {
      const dx = rt.empty(logits.shape);
      rt.dispatch(xentBackwardKernel(), { x: logits, t: targets, lse, g, dx, p: { n, c, scale: 1 / n } }, n);
      return dx;
    },
    null, // integer targets
  ]);
}
