// BatchNorm over channels-last [N, C]. The column statistics come from kernels/reduce.ts
// (two passes: mean, then mean squared deviation, so a large mean does not cancel the
// variance away in f32). These kernels do the per-channel bookkeeping and the elementwise
// parts. Per-channel state is one [4, C] tensor, rows: mean, invstd, gamma * invstd, beta;
// in training the mean/invstd are the batch's, in eval the running ones.
import { binds, defineKernel, type KernelSpec } from './spec.ts';

const BN_WG = 256;

const head = `@compute @workgroup_size(${BN_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u)`;
const idx = `let i = gid.x + gid.y * (nwg.x * ${BN_WG}u);`;

/**
 * Training: state from the batch mean and biased variance; when `running`, also
 * running = (1 - momentum) * running + momentum * batch, with the unbiased variance
 * (var * N / (N - 1)) for runVar, as PyTorch does.
 */
export function bnTrainStateKernel(running: boolean) {
  const b = binds('mean:read', 'variance:read', 'gamma:read', 'beta:read', ...(running ? ['runMean:read_write', 'runVar:read_write'] : []), 'state:read_write', 'p:uniform');
  return defineKernel({
    key: `bn.train_state${running ? '.running' : ''}`,
    bindings: b,
    uniforms: { c: 'u32', eps: 'f32', momentum: 'f32', unbias: 'f32' },
    workgroup: BN_WG,
    source: (decls) => `${decls}
${head} {
  ${idx}
  if (i < p.c) {
    let m = mean[i];
    let v = variance[i];
    let inv = inverseSqrt(v + p.eps);
    state[i] = m;
    state[p.c + i] = inv;
    state[2u * p.c + i] = gamma[i] * inv;
    state[3u * p.c + i] = beta[i];
    ${running ? `runMean[i] = (1.0 - p.momentum) * runMean[i] + p.momentum * m;
    runVar[i] = (1.0 - p.momentum) * runVar[i] + p.momentum * v * p.unbias;` : ''}
  }
}`,
  });
}

/** Eval: state from the running statistics. */
export function bnEvalStateKernel() {
  return defineKernel({
    key: 'bn.eval_state',
    bindings: binds('runMean:read', 'runVar:read', 'gamma:read', 'beta:read', 'state:read_write', 'p:uniform'),
    uniforms: { c: 'u32', eps: 'f32' },
    workgroup: BN_WG,
    source: (decls) => `${decls}
${head} {
  ${idx}
  if (i < p.c) {
    let inv = inverseSqrt(runVar[i] + p.eps);
    state[i] = runMean[i];
    state[p.c + i] = inv;
    state[2u * p.c + i] = gamma[i] * inv;
    state[3u * p.c + i] = beta[i];
  }
}`,
  });
}

/**
 * y = (x - mean[c]) * gamma[c] * invstd[c] + beta[c]; subtracting first keeps precision for
 * large means. With `relu`, y = max(that, 0): BatchNorm + ReLU in one pass (MSInet's blocks).
 */
export function bnApplyKernel(relu = false) {
  const v = '(x[i] - state[c]) * state[2u * p.c + c] + state[3u * p.c + c]';
  return defineKernel({
    key: `bn.apply${relu ? '.relu' : ''}`,
    bindings: binds('x:read', 'state:read', 'y:read_write', 'p:uniform'),
    uniforms: { n: 'u32', c: 'u32' },
    workgroup: BN_WG,
    source: (decls) => `${decls}
${head} {
  ${idx}
  if (i < p.n) {
    let c = i % p.c;
    y[i] = ${relu ? `max(${v}, 0.0)` : v};
  }
}`,
  });
}

/**
 * Per-channel backward terms from sdy = sum(dy) and sdev = sum(dy * (x - mean)):
 * dbeta = sdy, dgamma = invstd * sdev, and coef [3, C] = (a, b, k) for
 * dx = a * dy + b + k * (x - mean). Training (batch statistics depend on x):
 * a = gamma * invstd, b = -a * sdy / N, k = -a * invstd^2 * sdev / N. Eval: b = k = 0.
 */
export function bnBackwardCoefKernel() {
  return defineKernel({
    key: 'bn.bwd_coef',
    bindings: binds('state:read', 'sdy:read', 'sdev:read', 'coef:read_write', 'dgamma:read_write', 'dbeta:read_write', 'p:uniform'),
    uniforms: { c: 'u32', invN: 'f32', training: 'u32' },
    workgroup: BN_WG,
    source: (decls) => `${decls}
${head} {
  ${idx}
  if (i < p.c) {
    let inv = state[p.c + i];
    let a = state[2u * p.c + i];
    let sumDy = sdy[i];
    let sumDev = sdev[i];
    dbeta[i] = sumDy;
    dgamma[i] = inv * sumDev;
    let t = select(0.0, 1.0, p.training != 0u);
    coef[i] = a;
    coef[p.c + i] = -t * a * sumDy * p.invN;
    coef[2u * p.c + i] = -t * a * inv * inv * sumDev * p.invN;
  }
}`,
  });
}

/**
 * dx = a[c] * dy + b[c] + k[c] * (x - mean[c]). `masked`: rows outside the mask (mask[row] = 0)
 * took no part in the statistics, so they keep only the direct term: dx = a[c] * dy there.
 */
export function bnBackwardDxKernel(masked = false) {
  return defineKernel({
    key: `bn.bwd_dx${masked ? '.masked' : ''}`,
    bindings: binds('x:read', 'dy:read', 'state:read', 'coef:read', ...(masked ? ['mask:read'] : []), 'dx:read_write', 'p:uniform'),
    types: { mask: 'array<u32>' },
    uniforms: { n: 'u32', c: 'u32' },
    workgroup: BN_WG,
    source: (decls) => `${decls}
${head} {
  ${idx}
  if (i < p.n) {
    let c = i % p.c;
    ${masked ? `let t = select(0.0, 1.0, mask[i / p.c] != 0u);
    dx[i] = coef[c] * dy[i] + t * (coef[p.c + c] + coef[2u * p.c + c] * (x[i] - state[c]));` : `dx[i] = coef[c] * dy[i] + coef[p.c + c] + coef[2u * p.c + c] * (x[i] - state[c]);`}
  }
}`,
  });
}

/**
 * Batch statistics over the rows in a mask (u32 [rows], nonzero = counted) of x [rows, C]:
 * mean[c] and the biased variance[c] (mean squared deviation from that mean), both over the
 * `count` counted rows (invCount = 1 / count). One thread per channel, rows in order (two
 * passes, as the unmasked path): deterministic. For sparse acquisitions, where the rows of
 * unmeasured pixels must not move the statistics.
 */
export function bnMaskedStatsKernel() {
  return defineKernel({
    key: 'bn.masked_stats',
    bindings: binds('x:read', 'mask:read', 'mean:read_write', 'variance:read_write', 'p:uniform'),
    types: { mask: 'array<u32>' },
    uniforms: { rows: 'u32', c: 'u32', invCount: 'f32' },
    workgroup: BN_WG,
    source: (decls) => `${decls}
${head} {
  ${idx}
  if (i < p.c) {
    var s = 0.0;
    for (var r = 0u; r < p.rows; r++) {
      if (mask[r] != 0u) { s += x[r * p.c + i]; }
    }
    let m = s * p.invCount;
    var v = 0.0;
    for (var r = 0u; r < p.rows; r++) {
      if (mask[r] != 0u) {
        let d = x[r * p.c + i] - m;
        v += d * d;
      }
    }
    mean[i] = m;
    variance[i] = v * p.invCount;
  }
}`,
  });
}

export const batchnormKernels = (): KernelSpec[] => [
  bnTrainStateKernel(true),
  bnTrainStateKernel(false),
  bnEvalStateKernel(),
  bnApplyKernel(),
  bnApplyKernel(true),
  bnBackwardCoefKernel(),
  bnBackwardDxKernel(),
  bnBackwardDxKernel(true),
  bnMaskedStatsKernel(),
];
