// Building blocks shared by the loss kernels: a workgroup tree reduction (WGSL snippet) and
// the final single-workgroup sum that turns per-row or per-workgroup partial losses into one
// scalar. Every thread sums a fixed, strided subset and the tree has a fixed shape, so the
// result depends only on the input, never on scheduling: no float atomics anywhere.
import { binds, defineKernel } from './spec.ts';

/** Threads of the final reduction; a power of two. Shared with the patch loss's final kernel. */
export const SUM_WG = 256;

/**
 * WGSL statements reducing `arr[0..wg)` (a workgroup array) into `arr[0]` with `combine`
 * (an expression in `a` and `b`). Starts with a barrier so callers can write then call.
 * Every invocation runs every barrier: no early return may precede it.
 */
export function treeReduceWgsl(arr: string, lid: string, wg: number, combine: string): string {
  if ((wg & (wg - 1)) !== 0) throw new Error(`tree reduction needs a power-of-two workgroup, got ${wg}`);
  const expr = combine.replace(/\ba\b/g, `${arr}[${lid}]`).replace(/\bb\b/g, `${arr}[${lid} + rs]`);
  return `workgroupBarrier();
  for (var rs = ${wg / 2}u; rs > 0u; rs = rs >> 1u) {
    if (${lid} < rs) { ${arr}[${lid}] = ${expr}; }
    workgroupBarrier();
  }`;
}

/** y[0] = scale * sum(x[0..n)), one workgroup. */
export function sumScaleKernel() {
  return defineKernel({
    key: `loss.sum_scale.wg${SUM_WG}`,
    bindings: binds('x:read', 'y:read_write', 'p:uniform'),
    uniforms: { n: 'u32', scale: 'f32' },
    workgroup: SUM_WG,
    source: (decls) => `${decls}
var<workgroup> acc: array<f32, ${SUM_WG}>;
@compute @workgroup_size(${SUM_WG}) fn main(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var i = lid; i < p.n; i += ${SUM_WG}u) { s += x[i]; }
  acc[lid] = s;
  ${treeReduceWgsl('acc', 'lid', SUM_WG, 'a + b')}
  if (lid == 0u) { y[0] = acc[0] * p.scale; }
}`,
  });
}
