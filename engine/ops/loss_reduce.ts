// The last step of every loss: a deterministic single-workgroup sum of partial losses,
// scaled (1/N for a mean). Not an op: the losses record their own backward.
import { sumScaleKernel } from '../../kernels/loss_reduce.ts';
import type { Tensor } from '../tensor.ts';

/** [1] = scale * sum(x). No tape record. */
export function sumScaledRaw(x: Tensor, scale: number): Tensor {
  const y = x.rt.empty([1]);
  x.rt.dispatch(sumScaleKernel(), { x, y, p: { n: x.size, scale } }, [1, 1, 1]);
  return y;
}
