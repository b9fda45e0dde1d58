// Contrastive losses on cosine similarities: InfoNCE between two views and SimCLR's NT-Xent.
// Both are one Gram matrix (engine/ops/gram.ts) plus a row-wise log-sum-exp; forward and
// backward stay on the GPU and nothing of size n x n x q is ever formed.
import { nceBackwardKernel, nceForwardKernel } from '../../kernels/infonce.ts';
import type { Tensor } from '../tensor.ts';
import { cosineCross, cosineGram } from './gram.ts';
import { sumScaledRaw } from './reduce.ts';

/**
 * mean_i [ log sum_j exp(s_ij / T) - s_i,pos(i) / T ] over the rows of s [rows, cols], with
 * pos(i) = (i + shift) mod cols; `skipDiag` leaves j = i out of the sum (NT-Xent).
 */
export function contrastiveRowLoss(s: Tensor, temperature: number, shift = 0, skipDiag = false): Tensor {
  if (s.shape.length !== 2) throw new Error(`contrastiveRowLoss: expected a matrix, got ${s}`);
  if (!(temperature > 0)) throw new Error(`contrastiveRowLoss: temperature must be > 0, got ${temperature}`);
  const [rows, cols] = [s.shape[0]!, s.shape[1]!];
  if (skipDiag && cols < 2) throw new Error('contrastiveRowLoss: skipDiag needs at least 2 columns');
  const rt = s.rt;
  const p = { rows, cols, invT: 1 / temperature, shift: shift % cols, skipDiag: skipDiag ? 1 : 0, scale: 1 / rows };
  const rowLoss = rt.empty([rows]);
  const lse = rt.empty([rows]);
  rt.dispatch(nceForwardKernel(), { s, rowLoss, lse, p }, rows);
  const loss = sumScaledRaw(rowLoss, 1 / rows);
  rowLoss.dispose();
  return rt.tape.record('contrastiveRowLoss', [s], loss, (g) => {
    const ds = rt.empty(s.shape);
    rt.dispatch(nceBackwardKernel(), { s, lse, g, ds, p }, rows);
    return [ds];
  });
}

/**
 * InfoNCE between two views a [n, q], b [n, q]: s_ij = cos(a_i, b_j),
 * L = -mean_i log( exp(s_ii / T) / sum_j exp(s_ij / T) ). Gradients flow to a and b.
 */
export function infoNCE(a: Tensor, b: Tensor, temperature: number): Tensor {
  if (a.shape.length !== 2 || a.shape[0] !== b.shape[0]) throw new Error(`infoNCE: ${a} and ${b} must have the same rows`);
  return contrastiveRowLoss(cosineCross(a, b), temperature);
}

/**
 * SimCLR's NT-Xent over z [2B, d], rows i and i + B being the two views of one sample: each
 * row's positive is its pair, its negatives every other row but itself; mean over 2B rows.
 */
export function ntXent(z: Tensor, temperature: number): Tensor {
  const rows = z.shape[0]!;
  if (z.shape.length !== 2 || rows % 2 !== 0 || rows < 2) throw new Error(`ntXent: expected [2B, d], got ${z}`);
  return contrastiveRowLoss(cosineGram(z), temperature, rows / 2, true);
}
