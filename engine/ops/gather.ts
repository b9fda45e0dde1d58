// gatherRows: picks rows of a [N, C] matrix by an i32 index tensor (distinct indices), with
// the scatter as its backward. Used to align two augmented views (flips) position by position.
import { gatherRowsKernel, scatterRowsKernel } from '../../kernels/gather.ts';
import type { Tensor } from '../tensor.ts';
import { fill } from './elementwise.ts';

export function gatherRows(x: Tensor, index: Tensor): Tensor {
  if (x.shape.length !== 2) throw new Error(`gatherRows: expected a matrix, got ${x}`);
  if (index.dtype !== 'i32') throw new Error(`gatherRows: index must be i32, got ${index}`);
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const rows = index.size;
  const y = x.rt.empty([rows, c]);
  x.rt.dispatch(gatherRowsKernel(), { x, index, y, p: { rows, cols: c } }, rows * c);
  return x.rt.tape.record('gatherRows', [x], y, (g) => {
    const dx = fill(x.rt.empty([n, c]), 0);
    x.rt.dispatch(scatterRowsKernel(), { dy: g, index, dx, p: { rows, cols: c } }, rows * c);
    return [dx];
  });
}
