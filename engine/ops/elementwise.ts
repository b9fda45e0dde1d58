// Elementwise ops with their backward rules.
import {
  affineKernel,
  binaryKernel,
  fillKernel,
  reluBackwardKernel,
  reluKernel,
  type BinaryOp,
} from '../../kernels/elementwise.ts';
import type { Tensor } from '../tensor.ts';

function sameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.size !== b.size) throw new Error(`${op}: sizes differ (${a} vs ${b})`);
}

export function fill(t: Tensor, value: number): Tensor {
  t.rt.dispatch(fillKernel(), { y: t, p: { n: t.size, value } }, t.size);
  return t;
}

export function full(rt: Tensor['rt'], shape: readonly number[], value: number): Tensor {
  return fill(rt.empty(shape), value);
}

export const onesLike = (t: Tensor) => full(t.rt, t.shape, 1);

export function clone(t: Tensor): Tensor {
  const y = t.rt.empty(t.shape, t.dtype);
  t.rt.copy(t, y);
  return y;
}

function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  sameShape(op, a, b);
  const y = a.rt.empty(a.shape);
  a.rt.dispatch(binaryKernel(op), { a, b, y, p: { n: a.size } }, a.size);
  return y;
}

export function add(a: Tensor, b: Tensor): Tensor {
  const y = binaryRaw('add', a, b);
  return a.rt.tape.record('add', [a, b], y, [(g) => g, (g) => g]);
}

export function sub(a: Tensor, b: Tensor): Tensor {
  const y = binaryRaw('sub', a, b);
  return a.rt.tape.record('sub', [a, b], y, [(g) => g, (g) => scale(g, -1)]);
}

export function mul(a: Tensor, b: Tensor): Tensor {
  const y = binaryRaw('mul', a, b);
  return a.rt.tape.record('mul', [a, b], y, [(g) => binaryRaw('mul', g, b), (g) => binaryRaw('mul', g, a)]);
}

/** y = x * s + shift */
export function scale(x: Tensor, s: number, shift = 0): Tensor {
  const y = x.rt.empty(x.shape);
  x.rt.dispatch(affineKernel(), { x, y, p: { n: x.size, scale: s, shift } }, x.size);
  return x.rt.tape.record('scale', [x], y, [(g) => scale(g, s)]);
}

export function relu(x: Tensor): Tensor {
  const y = x.rt.empty(x.shape);
  x.rt.dispatch(reluKernel(), { x, y, p: { n: x.size } }, x.size);
  return x.rt.tape.record('relu', [x], y, [(g) => reluGrad(y, g)]);
}

/** dy masked to where a ReLU's output y was positive (no autograd). */
export function reluGrad(y: Tensor, dy: Tensor): Tensor {
  const dx = y.rt.empty(y.shape);
  y.rt.dispatch(reluBackwardKernel(), { y, dy, dx, p: { n: y.size } }, y.size);
  return dx;
}

