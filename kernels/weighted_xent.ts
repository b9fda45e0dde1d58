// Weighted softmax cross-entropy with per-row weights, for self-labelling with class balancing:
// rowLoss_r = w_r * (logsumexp(x_r) - x_r[t_r]), rows with t_r < 0 or w_r = 0 contribute
// nothing (not confident). One thread per row, as kernels/softmax_xent.ts. The backward:
// dx_rc = g * scale * w_r * (softmax(x_r)_c - [c = t_r]).
import { NEG_BIG, rowHead, rowIndex, ROW_WG } from './softmax_xent.ts';
import { binds, bindingsWgsl, defineKernel, type KernelSpec } from './spec.ts';

export { ROW_WG as WXENT_WG };

const lseWgsl = `fn rowLse(base: u32, c: u32) -> f32 {
  var m = ${NEG_BIG};
  for (var j = 0u; j < c; j++) { m = max(m, x[base + j]); }
  var s = 0.0;
  for (var j = 0u; j < c; j++) { s += exp(x[base + j] - m); }
  return m + log(s);
}`;

export function weightedXentForwardKernel(): KernelSpec {
  const b = binds('x:read', 't:read', 'w:read', 'rowLoss:read_write', 'lse:read_write', 'p:uniform');
  return defineKernel(
    `wxent.fwd.wg${ROW_WG}`,
    () => `struct P { n: u32, c: u32 }
${bindingsWgsl(b, { x: 'array<f32>', t: 'array<i32>', w: 'array<f32>', rowLoss: 'array<f32>', lse: 'array<f32>', p: 'P' })}
${lseWgsl}
${rowHead} {
  ${rowIndex}
  if (row < p.n) {
    let base = row * p.c;
    let l = rowLse(base, p.c);
    lse[row] = l;
    let tr = t[row];
    rowLoss[row] = select(w[row] * (l - x[base + u32(clamp(tr, 0, i32(p.c) - 1))]), 0.0, tr < 0);
  }
}`,
    b,
  );
}

export function weightedXentBackwardKernel(): KernelSpec {
  const b = binds('x:read', 't:read', 'w:read', 'lse:read', 'g:read', 'dx:read_write', 'p:uniform');
  return defineKernel(
    `wxent.bwd.wg${ROW_WG}`,
    () => `struct P { n: u32, c: u32, scale: f32 }
${bindingsWgsl(b, { x: 'array<f32>', t: 'array<i32>', w: 'array<f32>', lse: 'array<f32>', g: 'array<f32>', dx: 'array<f32>', p: 'P' })}
${rowHead} {
  ${rowIndex}
  if (row < p.n) {
    let base = row * p.c;
    let tr = t[row];
    let k = select(g[0] * p.scale * w[row], 0.0, tr < 0);
    for (var j = 0u; j < p.c; j++) {
      dx[base + j] = k * (exp(x[base + j] - lse[row]) - select(0.0, 1.0, i32(j) == tr));
    }
  }
}`,
    b,
  );
}

export const weightedXentKernels = (): KernelSpec[] => [weightedXentForwardKernel(), weightedXentBackwardKernel()];
