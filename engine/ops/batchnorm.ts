// BatchNorm over channels-last [N, C] (any shape whose last axis is C: every other axis is
// the batch), PyTorch semantics: training normalises with the batch mean and biased
// variance and moves the running statistics by `momentum` (unbiased variance); eval uses
// the running statistics. Backward gives dx, dgamma, dbeta in both modes.
import {
  bnApplyKernel,
  bnBackwardCoefKernel,
  bnBackwardDxKernel,
  bnEvalStateKernel,
  bnMaskedStatsKernel,
  bnTrainStateKernel,
} from '../../kernels/batchnorm.ts';
import { filledParameter, Module, stateTensor } from '../module.ts';
import type { Runtime } from '../runtime.ts';
import type { Tensor } from '../tensor.ts';
import { reluGrad } from './elementwise.ts';
import { reduceRaw, type ReduceView } from './reduce.ts';

export interface RunningStats {
  runningMean: Tensor;
  runningVar: Tensor;
}

export interface BatchNormOptions {
  training: boolean;
  /** Weight of the new batch in the running statistics (PyTorch's default 0.1). */
  momentum?: number;
  eps?: number;
  /** Apply ReLU to the output in the same pass (y = max(BN(x), 0)); the backward masks dy first. */
  relu?: boolean;
  /**
   * Training only: the batch statistics come from the rows (every axis but the last) where
   * mask (u32 [rows]) is nonzero; `count` = the number of those (>= 2). Every row is still
   * normalised with them; the other rows get only the direct gradient. For sparse images.
   */
  mask?: { mask: Tensor; count: number };
}

/**
 * y = (x - mean) / sqrt(var + eps) * gamma + beta per channel (the last axis). In training
 * the running statistics, when given, are updated in place; in eval they are required.
 */
export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, running: RunningStats | null, opts: BatchNormOptions): Tensor {
  const rt = x.rt;
  const c = x.shape[x.shape.length - 1]!;
  const n = x.size / c;
  const { training, momentum = 0.1, eps = 1e-5, relu = false } = opts;
  const masked = training && opts.mask ? opts.mask : null;
  if (masked && (masked.mask.size !== n || masked.mask.dtype !== 'u32'))
    throw new Error(`batchNorm: mask ${masked.mask} must be u32 with one value per row (${n})`);
  if (masked && !(Number.isInteger(masked.count) && masked.count >= 2 && masked.count <= n))
    throw new Error(`batchNorm: the mask must count 2..${n} rows, got ${masked.count}`);
  // The statistics' row count: every row, or the mask's.
  const count = masked ? masked.count : n;
  if (gamma.size !== c || beta.size !== c) throw new Error(`batchNorm: gamma ${gamma} / beta ${beta} do not match ${c} channels of ${x}`);
  if (running && (running.runningMean.size !== c || running.runningVar.size !== c))
    throw new Error(`batchNorm: running statistics do not match ${c} channels`);
  const view: ReduceView = { outer: 1, r: n, inner: c };
  const state = rt.empty([4, c]);
  if (training) {
    if (n < 2) throw new Error(`batchNorm: training needs more than one value per channel, got ${x}`);
    let mean: Tensor, variance: Tensor;
    if (masked) {
      mean = rt.empty([c]);
      variance = rt.empty([c]);
      rt.dispatch(bnMaskedStatsKernel(), { x, mask: masked.mask, mean, variance, p: { rows: n, c, invCount: 1 / count } }, c);
    } else {
      mean = reduceRaw(x, view, { scale: 1 / n });
      variance = reduceRaw(x, view, { pre: 'sqdev', m: mean, scale: 1 / n });
    }
    const runs: Record<string, Tensor> = running ? { runMean: running.runningMean, runVar: running.runningVar } : {};
    rt.dispatch(bnTrainStateKernel(!!running), { mean, variance, gamma, beta, state, ...runs, p: { c, eps, momentum, unbias: count / (count - 1) } }, c);
    mean.dispose();
    variance.dispose();
  } else {
    if (!running) throw new Error('batchNorm: eval mode needs running statistics');
    rt.dispatch(
      bnEvalStateKernel(),
      { runMean: running.runningMean, runVar: running.runningVar, gamma, beta, state, p: { c, eps } },
      c,
    );
  }
  const y = rt.empty(x.shape);
  rt.dispatch(bnApplyKernel(relu), { x, state, y, p: { n: x.size, c } }, x.size);
  return rt.tape.record(relu ? 'batchNormRelu' : 'batchNorm', [x, gamma, beta], y, (gOut) => {
    const g = relu ? reluGrad(y, gOut) : gOut;
    const sdy = reduceRaw(g, view);
    const sdev = reduceRaw(g, view, { pre: 'muldev', y: x, m: state });
    const coef = rt.empty([3, c]), dgamma = rt.empty(gamma.shape), dbeta = rt.empty(beta.shape);
    rt.dispatch(
      bnBackwardCoefKernel(),
      { state, sdy, sdev, coef, dgamma, dbeta, p: { c, invN: 1 / count, training: training ? 1 : 0 } },
      c,
    );
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      dx = rt.empty(x.shape);
      const maskIn: Record<string, Tensor> = masked ? { mask: masked.mask } : {};
      rt.dispatch(bnBackwardDxKernel(!!masked), { x, dy: g, state, coef, ...maskIn, dx, p: { n: x.size, c } }, x.size);
    }
    for (const t of [sdy, sdev, coef]) t.dispose();
    if (g !== gOut) g.dispose();
    if (!gamma.requiresGrad) dgamma.dispose();
    if (!beta.requiresGrad) dbeta.dispose();
    return [dx, gamma.requiresGrad ? dgamma : null, beta.requiresGrad ? dbeta : null];
  }, [state]);
}

/** BatchNorm layer: gamma = 1, beta = 0, runningMean = 0, runningVar = 1 (PyTorch's init). */
export class BatchNorm extends Module {
  readonly gamma: Tensor;
  readonly beta: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;

  constructor(
    rt: Runtime,
    readonly channels: number,
    readonly opts: { momentum?: number; eps?: number } = {},
  ) {
    super();
    this.gamma = this.registerParameter('gamma', filledParameter(rt, [channels], 1));
    this.beta = this.registerParameter('beta', filledParameter(rt, [channels], 0));
    this.runningMean = this.registerBuffer('runningMean', stateTensor(rt, [channels], 0));
    this.runningVar = this.registerBuffer('runningVar', stateTensor(rt, [channels], 1));
  }

  /** BN(x), or max(BN(x), 0) in one pass with `relu`; `mask`: statistics over those rows (see BatchNormOptions). */
  forward(x: Tensor, relu = false, mask?: BatchNormOptions['mask']): Tensor {
    return batchNorm(x, this.gamma, this.beta, this, { training: this.training, ...this.opts, relu, ...(mask ? { mask } : {}) });
  }
}
