// Deterministic sums along one axis of a tensor viewed as [outer, R, inner]:
//   out[o, i] = scale * sum_r pre(x[o, r, i])
// Column sums of [N, C] are outer=1, R=N, inner=C; row sums are outer=N, R=C, inner=1; a
// total is outer=1, R=n, inner=1. One workgroup of 256 lanes = TX inner lanes x TY reduce
// lanes x TO outer lanes; each workgroup sums one chunk of R (each lane K values, strided by
// TY so neighbouring lanes read neighbouring memory), then a tree in workgroup memory adds
// the TY partials. Chunks write partials [outer, chunks, inner] that the next pass reduces
// the same way. The partition depends only on the shape, never on scheduling, and there
// are no float atomics, so a given input always gives bit-identical sums.
import { binds, defineKernel, type KernelSpec } from './spec.ts';

const REDUCE_WG = 256;
/** Most values one lane adds serially per pass; bounds a pass's chunk at TY * this. */
export const REDUCE_MAX_SERIAL = 64;

/**
 * What each element contributes before summing:
 * id x; mul x*y; sq x*x; abs |x|; sqdev (x - m[out])^2; muldev x * (y - m[out]),
 * where m is indexed like the output (per column for column sums, per row for row sums).
 */
export type ReducePre = 'id' | 'mul' | 'sq' | 'abs' | 'sqdev' | 'muldev';

const preExpr: Record<ReducePre, string> = {
  id: 'x[j]',
  mul: 'x[j] * y[j]',
  sq: 'x[j] * x[j]',
  abs: 'abs(x[j])',
  sqdev: '(x[j] - m[oi]) * (x[j] - m[oi])',
  muldev: 'x[j] * (y[j] - m[oi])',
};

export function reduceInputs(pre: ReducePre): string[] {
  const extra = pre === 'mul' ? ['y'] : pre === 'sqdev' ? ['m'] : pre === 'muldev' ? ['y', 'm'] : [];
  return ['x', ...extra];
}

export interface ReduceLayout {
  tx: number;
  ty: number;
  to: number;
}

const pow2ceil = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/**
 * One-pass layouts: every lane adds its strided share of all R values, then one tree, so there
 * is no partials pass. COLUMNS is the column sum's (16 columns x 16 row lanes: bias gradients),
 * TOTAL a single workgroup's sum of everything (the last step of every loss). Both give the
 * same sums, in the same order, as the dedicated kernels they replace.
 */
export const COLUMNS_LAYOUT: ReduceLayout = { tx: 16, ty: 16, to: 1 };
export const TOTAL_LAYOUT: ReduceLayout = { tx: 1, ty: REDUCE_WG, to: 1 };

/** Serial values per lane worth having before adding reduce lanes (barriers are not free). */
const SERIAL_TARGET = 64;

/**
 * Lanes per dimension for a view: inner lanes first (coalesced reads), then enough reduce
 * lanes that each adds about SERIAL_TARGET values, the rest on independent outputs.
 */
export function reduceLayout(r: number, inner: number): ReduceLayout {
  const tx = Math.min(32, pow2ceil(inner));
  const ty = Math.min(REDUCE_WG / tx, pow2ceil(Math.ceil(r / SERIAL_TARGET)));
  const to = REDUCE_WG / tx / ty;
  return { tx, ty, to };
}

/** Adds the ty partials of each (inner, outer) lane into acc of ly = 0 (skipped when ty = 1: no barrier). */
const tree = (tx: number, ty: number) => `  sh[li] = acc;
  workgroupBarrier();
  for (var half = ${ty / 2}u; half > 0u; half >>= 1u) {
    if (ly < half) { sh[li] += sh[li + half * ${tx}u]; }
    workgroupBarrier();
  }
  acc = sh[li];`;

export function reduceKernel(pre: ReducePre, { tx, ty, to }: ReduceLayout) {
  if (tx * ty * to !== REDUCE_WG) throw new Error(`reduce layout ${tx}x${ty}x${to} is not ${REDUCE_WG} lanes`);
  return defineKernel({
    key: `reduce.${pre}.${tx}x${ty}x${to}`,
    bindings: binds(...reduceInputs(pre).map((n) => `${n}:read`), 'out:read_write', 'p:uniform'),
    uniforms: { outer: 'u32', r: 'u32', inner: 'u32', chunks: 'u32', k: 'u32', innerTiles: 'u32', tiles: 'u32', scale: 'f32' },
    workgroup: REDUCE_WG,
    source: (decls) => `${decls}
${ty === 1 ? '' : `var<workgroup> sh: array<f32, ${REDUCE_WG}>;`}
@compute @workgroup_size(${REDUCE_WG})
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let lx = li % ${tx}u;
  let ly = (li / ${tx}u) % ${ty}u;
  let lo = li / ${tx * ty}u;
  let tile = wid.x + wid.z * nwg.x;
  let chunk = wid.y;
  let i = (tile % p.innerTiles) * ${tx}u + lx;
  let o = (tile / p.innerTiles) * ${to}u + lo;
  let valid = tile < p.tiles && i < p.inner && o < p.outer;
  let oi = o * p.inner + i;
  var acc = 0.0;
  if (valid) {
    let r0 = chunk * p.k * ${ty}u + ly;
    for (var s = 0u; s < p.k; s++) {
      let r = r0 + s * ${ty}u;
      if (r < p.r) {
        let j = (o * p.r + r) * p.inner + i;
        acc += ${preExpr[pre]};
      }
    }
  }
${ty === 1 ? '' : tree(tx, ty)}
  if (valid && ly == 0u) { out[(o * p.chunks + chunk) * p.inner + i] = acc * p.scale; }
}`,
  });
}

/** out[o, r, i] = g[o, i] * scale: the backward of a sum (scale 1) or mean (1 / R). */
export function broadcastKernel() {
  const decl = binds('g:read', 'out:read_write', 'p:uniform');
  return defineKernel({
    key: 'reduce.broadcast',
    bindings: decl,
    uniforms: { n: 'u32', r: 'u32', inner: 'u32', scale: 'f32' },
    workgroup: REDUCE_WG,
    source: (decls) => `${decls}
@compute @workgroup_size(${REDUCE_WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = gid.x + gid.y * (nwg.x * ${REDUCE_WG}u);
  if (j < p.n) {
    let i = j % p.inner;
    let o = j / (p.r * p.inner);
    out[j] = g[o * p.inner + i] * p.scale;
  }
}`,
  });
}

export const reduceKernels = (): KernelSpec[] => [
  ...(['id', 'mul', 'sq', 'abs', 'sqdev', 'muldev'] as const).map((pre) => reduceKernel(pre, { tx: 32, ty: 8, to: 1 })),
  reduceKernel('id', TOTAL_LAYOUT),
  reduceKernel('id', COLUMNS_LAYOUT),
  reduceKernel('id', { tx: 1, ty: 4, to: 64 }),
  reduceKernel('id', { tx: 1, ty: 1, to: 256 }),
  broadcastKernel(),
];
