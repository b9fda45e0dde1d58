// conv2d: 3x3, stride 1, zero padding 1, channels-last, with its backward. Layouts and the
// three implicit GEMMs are described in kernels/conv2d.ts; in short x [H*W, Cin],
// weight [9*Cin, Cout] (row tap*Cin + ci, tap = ky*3 + kx), bias [Cout], out [H*W, Cout].
import { conv3x3BackwardInput, conv3x3BackwardWeight, conv3x3Forward, convFill4 } from '../../kernels/conv2d.ts';
import type { GemmTile } from '../../kernels/matmul.ts';
import type { Tensor } from '../tensor.ts';
import { directConvBackwardInput, directConvBackwardWeight, directConvForward } from './direct.ts';
import { gemmPlan } from './gemm_policy.ts';
import { colSum, runGemm } from './matmul.ts';
import {
  tilesOf,
  winogradConvForward,
  winogradInputGrad,
  winogradOutputGrad,
  winogradWeightGrad,
} from './winograd.ts';

export interface Conv2dOptions {
  height: number;
  width: number;
  tile?: GemmTile;
  /**
   * 'winograd' (F(4x4, 3x3) or F(2x2, 3x3), ./winograd.ts: 4x or 2.25x fewer multiplies in forward, dX and dW) or
   * 'gemm' (the implicit GEMMs, the reference path). Default: winograd, at every channel
   * count (with 3 input channels its products are tiny, and it spares CPU adapters the
   * direct conv kernels' 20 s cold compile); gemm whenever a tile is given.
   */
  algorithm?: 'winograd' | 'gemm';
  /** Winograd's output tile: 4 (F(4x4, 3x3), 4x fewer multiplies; the default) or 2 (F(2x2, 3x3), 2.25x, smaller rounding error). */
  winograd?: 2 | 4;
}

export function convAlgorithm(opts: Conv2dOptions, cin = 1, cout = 1, maxBinding = Infinity): 'winograd' | 'gemm' {
  if (opts.algorithm) return opts.algorithm;
  if (opts.tile) return 'gemm';
  // Winograd's transformed maps are [(m+2)^2, tiles, C]: 4x (m = 2) or 2.25x (m = 4) the bytes of
  // the map itself. Where they would not fit one binding (lavapipe: 128 MiB, i.e. above ~380 x 380
  // pixels at 100 channels with m = 4) the implicit GEMM, which needs no such buffer, takes over.
  const { t, xi } = tilesOf(opts);
  return xi * t * Math.max(cin, cout) * 4 > maxBinding ? 'gemm' : 'winograd';
}

interface ConvDims {
  pixels: number;
  cin: number;
  cout: number;
}

function convDims(x: Tensor, w: Tensor, { height, width }: Conv2dOptions): ConvDims {
  const pixels = height * width;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1)
    throw new Error(`conv2d: bad image size ${height}x${width}`);
  // The kernels' index arithmetic (divu) is exact below 2^24 pixels.
  if (pixels >= 2 ** 24) throw new Error(`conv2d: ${height}x${width} image is over 2^24 pixels`);
  if (x.shape.length !== 2 || x.shape[0] !== pixels) throw new Error(`conv2d: x ${x} is not [${pixels}, Cin] for a ${height}x${width} image`);
  const cin = x.shape[1]!;
  if (w.shape.length !== 2 || w.shape[0] !== 9 * cin) throw new Error(`conv2d: weight ${w} is not [9*${cin}, Cout]`);
  return { pixels, cin, cout: w.shape[1]! };
}

/**
 * Which kernels run a conv GEMM (gemmPlan in ./gemm_policy.ts): on CPU adapters the direct kernels
 * of kernels/direct.ts for small products (they compile in milliseconds) and the tiled ones
 * with big register blocks for the big layers; tiled everywhere on GPUs. An explicit `tile`
 * always selects the tiled kernels (benchmarks, tests of both paths).
 */
function plan(t: Tensor, opts: Conv2dOptions, m: number, n: number, k: number): GemmTile | 'direct' {
  return gemmPlan(t.rt, m, n, k, opts.tile);
}

/** Checks an output gradient is [H*W, cout]. */
function rowsOf(g: Tensor, opts: Conv2dOptions, cout: number): void {
  if (g.shape.length !== 2 || g.shape[0] !== opts.height * opts.width || g.shape[1] !== cout)
    throw new Error(`conv2d: gradient ${g} is not [${opts.height * opts.width}, ${cout}]`);
}

/** Forward only: [H*W, Cout]. */
export function conv2dRaw(x: Tensor, w: Tensor, bias: Tensor | null, opts: Conv2dOptions): Tensor {
  const { pixels, cin, cout } = convDims(x, w, opts);
  if (bias && bias.size !== cout) throw new Error(`conv2d: bias ${bias} does not match ${cout} output channels`);
  const how = plan(x, opts, pixels, cout, 9 * cin);
  if (how === 'direct') return directConvForward(x, w, bias, opts.height, opts.width);
  return runGemm(x.rt, {
    family: conv3x3Forward,
    a: x,
    b: w,
    bias,
    m: pixels,
    n: cout,
    k: 9 * cin,
    extra: { h: opts.height, w: opts.width, cin },
    tile: how,
    fill4: convFill4(cin, cout).forward,
  });
}

/** dL/dx [H*W, Cin] from g = dL/dout [H*W, Cout]: a conv of g with the flipped, transposed kernel. */
export function conv2dBackwardInput(g: Tensor, w: Tensor, opts: Conv2dOptions): Tensor {
  const cout = w.shape[1]!, cin = w.shape[0]! / 9;
  if (w.shape.length !== 2 || !Number.isInteger(cin)) throw new Error(`conv2d: weight ${w} is not [9*Cin, Cout]`);
  rowsOf(g, opts, cout);
  const how = plan(g, opts, opts.height * opts.width, cin, 9 * cout);
  if (how === 'direct') return directConvBackwardInput(g, w, opts.height, opts.width);
  return runGemm(g.rt, {
    family: conv3x3BackwardInput,
    a: g,
    b: w,
    m: opts.height * opts.width,
    n: cin,
    k: 9 * cout,
    extra: { h: opts.height, w: opts.width, cout },
    tile: how,
    fill4: convFill4(cin, cout).dx,
  });
}

/** dL/dw [9*Cin, Cout] = im2col(x)^T g, a GEMM over pixels (split-K, planes summed in order). */
export function conv2dBackwardWeight(x: Tensor, g: Tensor, opts: Conv2dOptions & { split?: number }): Tensor {
  const cin = x.shape[1]!, cout = g.shape[1]!;
  if (x.shape.length !== 2 || g.shape.length !== 2 || x.shape[0] !== g.shape[0] || x.shape[0] !== opts.height * opts.width)
    throw new Error(`conv2d: x ${x} and gradient ${g} are not [${opts.height * opts.width}, C] maps`);
  const how = plan(x, opts, 9 * cin, cout, opts.height * opts.width);
  if (how === 'direct') return directConvBackwardWeight(x, g, opts.height, opts.width);
  return runGemm(x.rt, {
    family: conv3x3BackwardWeight,
    a: x,
    b: g,
    m: 9 * cin,
    n: cout,
    k: opts.height * opts.width,
    extra: { h: opts.height, w: opts.width, cin },
    tile: how,
    split: opts.split,
    fill4: convFill4(cin, cout).dw,
  });
}

/** 3x3 convolution (stride 1, zero padding 1) of a channels-last map, recorded on the tape. */
export function conv2d(x: Tensor, w: Tensor, bias: Tensor | null, opts: Conv2dOptions): Tensor {
  const inputs = bias ? [x, w, bias] : [x, w];
  const { cin, cout } = convDims(x, w, opts);
  if (convAlgorithm(opts, cin, cout, x.rt.maxBinding) === 'winograd') {
    if (bias && bias.size !== cout) throw new Error(`conv2d: bias ${bias} does not match ${cout} output channels`);
    const { y, v, ut } = winogradConvForward(x, w, bias, opts);
    return x.rt.tape.record('conv2d', inputs, y, (g) => {
      rowsOf(g, opts, cout);
      const dm = winogradOutputGrad(g, opts);
      const grads = [x.requiresGrad ? winogradInputGrad(dm, ut, opts) : null, w.requiresGrad ? winogradWeightGrad(v, dm, opts) : null, bias?.requiresGrad ? colSum(g) : null];
      dm.dispose();
      return grads;
    }, [v, ut]);
  }
  const out = conv2dRaw(x, w, bias, opts);
  return x.rt.tape.record('conv2d', inputs, out, [(g) => conv2dBackwardInput(g, w, opts), (g) => conv2dBackwardWeight(x, g, opts), (g) => colSum(g)]);
}
