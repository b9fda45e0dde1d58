// Fused optimiser updates: one dispatch per parameter tensor reads the gradient and state
// and writes the new parameter and state in place. PyTorch's update rules (torch.optim).
import { binds, defineKernel, type KernelSpec } from './spec.ts';

const OPTIM_WG = 256;

const head = `@compute @workgroup_size(${OPTIM_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u)`;
const idx = `let i = gid.x + gid.y * (nwg.x * ${OPTIM_WG}u);`;

/**
 * SGD: d = g + wd * w; with momentum, buf = d on a buffer's first step, else
 * buf = mu * buf + (1 - dampening) * d, and d = buf (or d + mu * buf, Nesterov); w -= lr * d.
 */
export function sgdKernel(withMomentum: boolean) {
  return defineKernel({
    key: `optim.sgd${withMomentum ? '.momentum' : ''}`,
    bindings: binds('param:read_write', 'grad:read', ...(withMomentum ? ['buf:read_write'] : []), 'u:uniform'),
    uniforms: { n: 'u32', lr: 'f32', momentum: 'f32', dampening: 'f32', weightDecay: 'f32', first: 'u32', nesterov: 'u32' },
    workgroup: OPTIM_WG,
    source: (decls) => `${decls}
${head} {
  ${idx}
  if (i < u.n) {
    let w = param[i];
    var d = grad[i] + u.weightDecay * w;
    ${
      withMomentum
        ? `var m = d;
    if (u.first == 0u) { m = u.momentum * buf[i] + (1.0 - u.dampening) * d; }
    buf[i] = m;
    d = select(m, d + u.momentum * m, u.nesterov != 0u);`
        : ''
    }
    param[i] = w - u.lr * d;
  }
}`,
  });
}

/**
 * Adam (or AdamW when decoupled): m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
 * w -= stepSize * m / (sqrt(v) / sqrt(1 - b2^t) + eps) with stepSize = lr / (1 - b1^t).
 * Weight decay adds wd * w to g (Adam) or first scales w by 1 - lr * wd (AdamW).
 */
export function adamKernel() {
  return defineKernel({
    key: 'optim.adam',
    bindings: binds('param:read_write', 'grad:read', 'm:read_write', 'v:read_write', 'u:uniform'),
    uniforms: { n: 'u32', lr: 'f32', beta1: 'f32', beta2: 'f32', eps: 'f32', weightDecay: 'f32', stepSize: 'f32', bc2Sqrt: 'f32', decoupled: 'u32' },
    workgroup: OPTIM_WG,
    source: (decls) => `${decls}
${head} {
  ${idx}
  if (i < u.n) {
    var w = param[i];
    var g = grad[i];
    if (u.decoupled != 0u) { w = w * (1.0 - u.lr * u.weightDecay); } else { g = g + u.weightDecay * w; }
    let mi = u.beta1 * m[i] + (1.0 - u.beta1) * g;
    let vi = u.beta2 * v[i] + (1.0 - u.beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = w - u.stepSize * mi / (sqrt(vi) / u.bc2Sqrt + u.eps);
  }
}`,
  });
}

export const optimKernels = (): KernelSpec[] => [sgdKernel(false), sgdKernel(true), adamKernel()];
