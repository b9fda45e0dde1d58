// BatchNorm over channels-last [N, C]. The column statistics come from kernels/reduce.ts
// (two passes: mean, then mean squared deviation, so a large mean does not cancel the
// variance away in f32). These kernels do the per-channel bookkeeping and the elementwise
// parts. Per-channel state is one [4, C] tensor, rows: mean, invstd, gamma * invstd, beta;
// in training the mean/invstd are the batch's, in eval the running ones.
import { binds, bindingsWgsl, defineKernel, type KernelSpec } from './spec.ts';

export const BN_WG = 256;

const head = `@compute @workgroup_size(${BN_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u)`;
const idx = `let i = gid.x + gid.y * (nwg.x * ${BN_WG}u);`;
const arrays = (names: string[], extra: Record<string, string> = {}) =>
  Object.fromEntries([...names.map((n) => [n, 'array<f32>']), ['p', 'P'], ...Object.entries(extra)]);

/**
 * Training: state from the batch mean and biased variance; when `running`, also
 * running = (1 - momentum) * running + momentum * batch, with the unbiased variance
 * (var * N / (N - 1)) for runVar, as PyTorch does.
 */
export function bnTrainStateKernel(running: boolean): KernelSpec {
  const names = ['mean', 'variance', 'gamma', 'beta', ...(running ? ['runMean', 'runVar'] : []), 'state'];
  const b = binds('mean:read', 'variance:read', 'gamma:read', 'beta:read', ...(running ? ['runMean:read_write', 'runVar:read_write'] : []), 'state:read_write', 'p:uniform');
  return defineKernel(
    `bn.train_state${running ? '.running' : ''}`,
    () => `struct P { c: u32, eps: f32, momentum: f32, unbias: f32 }
${bindingsWgsl(b, arrays(names))}
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
    b,
  );
}

/** Eval: state from the running statistics. */
export function bnEvalStateKernel(): KernelSpec {
  const b = binds('runMean:read', 'runVar:read', 'gamma:read', 'beta:read', 'state:read_write', 'p:uniform');
  return defineKernel(
    'bn.eval_state',
    () => `struct P { c: u32, eps: f32 }
${bindingsWgsl(b, arrays(['runMean', 'runVar', 'gamma', 'beta', 'state']))}
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
    b,
  );
}

/**
 * y = (x - mean[c]) * gamma[c] * invstd[c] + beta[c]; subtracting first keeps precision for
 * large means. With `relu`, y = max(that, 0): BatchNorm + ReLU in one pass (MSInet's blocks).
 */
export function bnApplyKernel(relu = false): KernelSpec {
  const b = binds('x:read', 'state:read', 'y:read_write', 'p:uniform');
  const v = '(x[i] - state[c]) * state[2u * p.c + c] + state[3u * p.c + c]';
  return defineKernel(
    `bn.apply${relu ? '.relu' : ''}`,
    () => `struct P { n: u32, c: u32 }
${bindingsWgsl(b, arrays(['x', 'state', 'y']))}
${head} {
  ${idx}
  if (i < p.n) {
    let c = i % p.c;
    y[i] = ${relu ? `max(${v}, 0.0)` : v};
  }
}`,
    b,
  );
}

/**
 * Per-channel backward terms from sdy = sum(dy) and sdev = sum(dy * (x - mean)):
 * dbeta = sdy, dgamma = invstd * sdev, and coef [3, C] = (a, b, k) for
 * dx = a * dy + b + k * (x - mean). Training (batch statistics depend on x):
 * a = gamma * invstd, b = -a * sdy / N, k = -a * invstd^2 * sdev / N. Eval: b = k = 0.
 */
export function bnBackwardCoefKernel(): KernelSpec {
  const b = binds('state:read', 'sdy:read', 'sdev:read', 'coef:read_write', 'dgamma:read_write', 'dbeta:read_write', 'p:uniform');
  return defineKernel(
    'bn.bwd_coef',
    () => `struct P { c: u32, invN: f32, training: u32 }
${bindingsWgsl(b, arrays(['state', 'sdy', 'sdev', 'coef', 'dgamma', 'dbeta']))}
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
    b,
  );
}

/** dx = a[c] * dy + b[c] + k[c] * (x - mean[c]). */
export function bnBackwardDxKernel(): KernelSpec {
  const b = binds('x:read', 'dy:read', 'state:read', 'coef:read', 'dx:read_write', 'p:uniform');
  return defineKernel(
    'bn.bwd_dx',
    () => `struct P { n: u32, c: u32 }
${bindingsWgsl(b, arrays(['x', 'dy', 'state', 'coef', 'dx']))}
${head} {
  ${idx}
  if (i < p.n) {
    let c = i % p.c;
    dx[i] = coef[c] * dy[i] + coef[p.c + c] + coef[2u * p.c + c] * (x[i] - state[c]);
  }
}`,
    b,
  );
}

export const batchnormKernels = (): KernelSpec[] => [
  bnTrainStateKernel(true),
  bnTrainStateKernel(false),
  bnEvalStateKernel(),
  bnApplyKernel(),
  bnApplyKernel(true),
  bnBackwardCoefKernel(),
  bnBackwardDxKernel(),
];
