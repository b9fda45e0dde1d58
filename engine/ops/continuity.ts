// Spatial continuity loss (MSInet's L_cont) with its backward rule.
import { continuityBackwardKernel, continuityPartialsKernel } from '../../kernels/continuity.ts';
import type { Tensor } from '../tensor.ts';
import { sumScaledRaw } from './reduce.ts';

/**
 * r [H*W, C] (row-major pixels) -> [1]: mean |r(y+1,x) - r(y,x)| over (H-1) W C terms plus
 * mean |r(y,x+1) - r(y,x)| over H (W-1) C terms. A direction with no pairs (H or W = 1)
 * contributes 0 (PyTorch would give NaN for a mean over nothing). Backward uses sign(0) = 0.
 */
export function continuityLoss(r: Tensor, height: number, width: number): Tensor {
  if (r.shape.length !== 2 || r.shape[0] !== height * width)
    throw new Error(`continuityLoss: expected [${height}*${width}, C], got ${r}`);
  const c = r.shape[1]!;
  const rt = r.rt;
  const nV = (height - 1) * width * c, nH = height * (width - 1) * c;
  const u = { h: height, w: width, c, invV: nV > 0 ? 1 / nV : 0, invH: nH > 0 ? 1 / nH : 0 };
  const pixels = height * width;
  const partial = rt.empty([pixels]);
  rt.dispatch(continuityPartialsKernel(), { r, partial, p: u }, pixels);
  const loss = sumScaledRaw(partial, 1);
  partial.dispose();
  return rt.tape.record('continuityLoss', [r], loss, (g) => {
    const dr = rt.empty(r.shape);
    rt.dispatch(continuityBackwardKernel(), { r, g, dr, p: u }, pixels);
    return [dr];
  });
}
