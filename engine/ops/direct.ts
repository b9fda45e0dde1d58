// Dispatch of the direct (CPU-adapter) conv kernels; no autograd here: conv2d records its tape
// node and calls these or the tiled kernels depending on the adapter and size.
import {
  directConvBackwardInputKernel,
  directConvBackwardWeightKernel,
  directConvForwardKernel,
  directThreads,
} from '../../kernels/direct.ts';
import type { Tensor } from '../tensor.ts';

export function directConvForward(x: Tensor, w: Tensor, bias: Tensor | null, height: number, width: number): Tensor {
  const pixels = height * width, cin = x.shape[1]!, cout = w.shape[1]!;
  const out = x.rt.empty([pixels, cout]);
  const u = { m: pixels, n: cout, cin, height, width };
  x.rt.dispatch(directConvForwardKernel(!!bias), bias ? { x, w, bias, out, p: u } : { x, w, out, p: u }, directThreads(pixels, cout));
  return out;
}

export function directConvBackwardInput(g: Tensor, w: Tensor, height: number, width: number): Tensor {
  const pixels = height * width, cout = g.shape[1]!, cin = w.shape[0]! / 9;
  const out = g.rt.empty([pixels, cin]);
  g.rt.dispatch(directConvBackwardInputKernel(), { g, w, out, p: { m: pixels, n: cin, cout, height, width } }, directThreads(pixels, cin));
  return out;
}

export function directConvBackwardWeight(x: Tensor, g: Tensor, height: number, width: number): Tensor {
  const cin = x.shape[1]!, cout = g.shape[1]!;
  const out = x.rt.empty([9 * cin, cout]);
  x.rt.dispatch(directConvBackwardWeightKernel(), { x, g, out, p: { m: 9 * cin, n: cout, cin, height, width } }, directThreads(9 * cin, cout));
  return out;
}
