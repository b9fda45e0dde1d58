// Weighted softmax cross-entropy with per-row weights, for self-labelling with class balancing:
// rowLoss_r = w_r * (logsumexp(x_r) - x_r[t_r]), rows with t_r < 0 or w_r = 0 contribute
// nothing (not confident). One thread per row, as kernels/softmax_xent.ts. The backward:
// dx_rc = g * scale * w_r * (softmax(x_r)_c - [c = t_r]).
import { NEG_BIG, rowHead, rowIndex, ROW_WG } from './softmax_xent.ts';
import { binds, defineKernel, type KernelSpec } from './spec.ts';


const lseWgsl = `fn rowLse(base: u32, c: u32) -> f32 {
  var m = ${NEG_BIG};
  for (var j = 0u; j < c; j++) { m = max(m, x[base + j]); }
  var s = 0.0;
  for (var j = 0u; j < c; j++) { s += exp(x[base + j] - m); }
  return m + log(s);
}`;

export function weightedXentForwardKernel() {
  return defineKernel({
    key: `wxent.fwd.wg${ROW_WG}`,
    bindings: binds('x:read', 't:read', 'w:read', 'rowLoss:read_write', 'lse:read_write', 'p:uniform'),
    types: { t: 'array<i32>' },
    uniforms: { n: 'u32', c: 'u32' },
    workgroup: ROW_WG,
    source: (decls) => `${decls}
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
  });
}

export function weightedXentBackwardKernel() {
  return defineKernel({
    key: `wxent.bwd.wg${ROW_WG}`,
    bindings: binds('x:read', 't:read', 'w:read', 'lse:read', 'g:read', 'dx:read_write', 'p:uniform'),
    types: { t: 'array<i32>' },
    uniforms: { n: 'u32', c: 'u32', scale: 'f32' },
    workgroup: ROW_WG,
    source: (decls) => `${decls}
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
  });
}

export const weightedXentKernels = (): KernelSpec[] => [weightedXentForwardKernel(), weightedXentBackwardKernel()];
