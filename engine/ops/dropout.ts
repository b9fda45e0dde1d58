// Dropout2d (channel dropout) for channels-last tensors. x is [N, C] (one sample: a whole
// channel of the image is dropped) or [S, ..., C] (S samples, each with its own mask).
import { channelMaskKernel, dropoutMaskKernel } from '../../kernels/dropout.ts';
import { Module } from '../module.ts';
import type { Runtime } from '../runtime.ts';
import type { Tensor } from '../tensor.ts';

export interface Dropout2dOptions {
  /** Probability of dropping a channel, in [0, 1]. */
  p: number;
  training: boolean;
  /** With `step`, fixes the mask: same (seed, step) gives the same mask. */
  seed: number;
  step: number;
}

/** The channel mask as f32 [samples, C]: 0 for dropped channels, 1 / (1 - p) for kept ones. */
export function dropoutMask(rt: Runtime, samples: number, channels: number, p: number, seed: number, step: number): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout probability must be in [0, 1], got ${p}`);
  const count = samples * channels;
  const mask = rt.empty([samples, channels]);
  const threshold = Math.min(0xffffffff, Math.floor(p * 2 ** 32));
  const keepScale = p < 1 ? 1 / (1 - p) : 0;
  rt.dispatch(
    dropoutMaskKernel(),
    { mask, p: { count, seed: seed >>> 0, step: step >>> 0, threshold, keepScale } },
    count,
  );
  return mask;
}

function applyMask(x: Tensor, mask: Tensor, samples: number): Tensor {
  const y = x.rt.empty(x.shape);
  const c = x.shape[x.shape.length - 1]!;
  const p = { n: x.size, c, sampleSize: x.size / samples };
  x.rt.dispatch(channelMaskKernel(samples > 1), { x, mask, y, p }, x.size);
  return y;
}

/** Channel dropout; identity (x itself) in eval mode or when p = 0. Backward applies the same mask. */
export function dropout2d(x: Tensor, opts: Dropout2dOptions): Tensor {
  if (!opts.training || opts.p === 0) return x;
  const c = x.shape[x.shape.length - 1]!;
  const samples = x.shape.length >= 3 ? x.shape[0]! : 1;
  const mask = dropoutMask(x.rt, samples, c, opts.p, opts.seed, opts.step);
  const y = applyMask(x, mask, samples);
  return x.rt.tape.record('dropout2d', [x], y, [(g) => applyMask(g, mask, samples)], [mask]);
}

/** Dropout2d layer: draws a fresh mask on every training forward (step counts forwards). */
export class Dropout2d extends Module {
  step = 0;

  constructor(
    readonly p: number,
    readonly seed: number,
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`dropout probability must be in [0, 1], got ${p}`);
  }

  forward(x: Tensor): Tensor {
    if (!this.training) return x;
    return dropout2d(x, { p: this.p, training: true, seed: this.seed, step: this.step++ });
  }
}
