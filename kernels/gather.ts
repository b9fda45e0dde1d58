// Row gather y[i, :] = x[idx[i], :] and its adjoint, the row scatter dx[idx[i], :] += dy[i, :].
// The scatter assumes distinct indices (a permutation of a subset): every output row is then
// written by at most one thread, so no atomics are needed; rows not named stay zero.
import { binds, defineKernel } from './spec.ts';

const GATHER_ROWS_WG = 256;
const head = `@compute @workgroup_size(${GATHER_ROWS_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u)`;
const idx = `let t = gid.x + gid.y * (nwg.x * ${GATHER_ROWS_WG}u);`;

export function gatherRowsKernel() {
  return defineKernel({
    key: 'gather.rows',
    bindings: binds('x:read', 'index:read', 'y:read_write', 'p:uniform'),
    types: { index: 'array<i32>' },
    uniforms: { rows: 'u32', cols: 'u32' },
    workgroup: GATHER_ROWS_WG,
    source: (decls) => `${decls}
${head} {
  ${idx}
  if (t >= p.rows * p.cols) { return; }
  let i = t / p.cols;
  let c = t % p.cols;
  y[t] = x[u32(index[i]) * p.cols + c];
}`,
  });
}

/** dx must be zero-filled first; writes dx[index[i], c] = dy[i, c]. */
export function scatterRowsKernel() {
  return defineKernel({
    key: 'gather.scatter_rows',
    bindings: binds('dy:read', 'index:read', 'dx:read_write', 'p:uniform'),
    types: { index: 'array<i32>' },
    uniforms: { rows: 'u32', cols: 'u32' },
    workgroup: GATHER_ROWS_WG,
    source: (decls) => `${decls}
${head} {
  ${idx}
  if (t >= p.rows * p.cols) { return; }
  let i = t / p.cols;
  let c = t % p.cols;
  dx[u32(index[i]) * p.cols + c] = dy[t];
}`,
  });
}
