// Ops over a batch of channels-last images x [B*H*W, C] (image b's rows contiguous): im2col
// for 3x3 convolutions (backward: col2im), the batched 3x3 convolution built from it and the
// engine's GEMM, 2x2 average pooling and the per-image global average pool.
import {
  avgPool2BackwardKernel,
  avgPool2Kernel,
  col2imKernel,
  im2colKernel,
} from '../../kernels/batched_image.ts';
import type { Tensor } from '../tensor.ts';
import { linear } from './matmul.ts';
import { broadcastRaw, reduceRaw } from './reduce.ts';

export interface BatchDims {
  batch: number;
  height: number;
  width: number;
}

function channelsOf(op: string, x: Tensor, { batch, height, width }: BatchDims): number {
  if (![batch, height, width].every((d) => Number.isInteger(d) && d >= 1)) throw new Error(`${op}: bad batch ${batch} x ${height}x${width}`);
  const rows = batch * height * width;
  if (x.shape.length !== 2 || x.shape[0] !== rows) throw new Error(`${op}: ${x} is not [${batch}*${height}*${width}, C]`);
  return x.shape[1]!;
}

/** [B*H*W, C] -> [B*H*W, 9*C]: the 3x3 neighbourhood of every pixel (zero padding per image). */
export function im2col3x3(x: Tensor, dims: BatchDims): Tensor {
  const c = channelsOf('im2col3x3', x, dims);
  const rt = x.rt;
  const rows = x.shape[0]!;
  const cols = rt.empty([rows, 9 * c]);
  rt.dispatch(im2colKernel(), { x, cols, p: { count: cols.size, h: dims.height, w: dims.width, c } }, cols.size);
  return rt.tape.record('im2col3x3', [x], cols, (g) => {
    const dx = rt.empty(x.shape);
    rt.dispatch(col2imKernel(), { dcols: g, dx, p: { count: dx.size, h: dims.height, w: dims.width, c } }, dx.size);
    return [dx];
  });
}

/**
 * 3x3 convolution (stride 1, zero padding 1) of every image of the batch: w [9*Cin, Cout]
 * (the layout of engine/ops/conv2d.ts), bias [Cout] or null. im2col then one GEMM over all
 * images; the gradients come from the GEMM's backward and col2im.
 */
export function conv3x3Batched(x: Tensor, w: Tensor, bias: Tensor | null, dims: BatchDims): Tensor {
  const c = channelsOf('conv3x3Batched', x, dims);
  if (w.shape.length !== 2 || w.shape[0] !== 9 * c) throw new Error(`conv3x3Batched: weight ${w} is not [9*${c}, Cout]`);
  const cols = im2col3x3(x, dims);
  const y = linear(cols, w, bias);
  // The columns are only needed by the backward; when nothing is recorded free them now.
  if (!y.requiresGrad) cols.dispose();
  return y;
}

/** 2x2 average pooling, stride 2 (an odd last row / column is dropped, as PyTorch's floor mode). */
export function avgPool2(x: Tensor, dims: BatchDims): Tensor {
  const c = channelsOf('avgPool2', x, dims);
  const ho = Math.floor(dims.height / 2), wo = Math.floor(dims.width / 2);
  if (ho < 1 || wo < 1) throw new Error(`avgPool2: ${dims.height}x${dims.width} images are too small to pool`);
  const rt = x.rt;
  const y = rt.empty([dims.batch * ho * wo, c]);
  rt.dispatch(avgPool2Kernel(), { x, y, p: { count: y.size, h: dims.height, w: dims.width, c } }, y.size);
  return rt.tape.record('avgPool2', [x], y, (g) => {
    const dx = rt.empty(x.shape);
    rt.dispatch(avgPool2BackwardKernel(), { dy: g, dx, p: { count: dx.size, h: dims.height, w: dims.width, c } }, dx.size);
    return [dx];
  });
}

/** Mean over each image's pixels: [B*P, C] -> [B, C]. */
export function globalAvgPool(x: Tensor, batch: number): Tensor {
  if (x.shape.length !== 2 || !Number.isInteger(batch) || batch < 1 || x.shape[0]! % batch !== 0)
    throw new Error(`globalAvgPool: ${x} is not [${batch}*P, C]`);
  const c = x.shape[1]!;
  const view = { outer: batch, r: x.shape[0]! / batch, inner: c };
  const y = reduceRaw(x, view, { scale: 1 / view.r, outShape: [batch, c] });
  return x.rt.tape.record('globalAvgPool', [x], y, [(g) => broadcastRaw(g, x.shape, view, 1 / view.r)]);
}
