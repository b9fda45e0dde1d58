// Cosine-similarity Gram matrices: row L2 normalisation (forward and backward), a tiled GEMM
// with the operand forms the Gram backward needs, and the stride-2 row gather of MSInet's
// patch loss.
//
// The GEMM computes C[M, N] = opA [M, K] x opB [K, N] where
//   opA: 'n' A stored [M, K] | 't' A stored [K, M] | 'sym' A + A^T (A square [M, M])
//   opB: 'n' B stored [K, N] | 't' B stored [N, K]
// Each workgroup computes a BM x BN tile of C; per K-step it stages a BK-deep slice of both
// operands in workgroup memory (as vec4 along M and N), and each thread accumulates a TM x TN
// register block (TN, TM multiples of 4). `symOut` (C = X X^T) computes only the tiles on and
// above the diagonal and mirrors them, halving the forward Gram.
import { treeReduceWgsl } from './loss_reduce.ts';
import { binds, bindingsWgsl, defineKernel, grid1d, type KernelSpec } from './spec.ts';

export type OpA = 'n' | 't' | 'sym';
export type OpB = 'n' | 't';

export interface GemmConfig {
  a: OpA;
  b: OpB;
  symOut: boolean;
  bm: number;
  bn: number;
  bk: number;
  tm: number;
  tn: number;
}

/** Fastest measured on lavapipe (see the report in the helper's notes / bench). */
export const GEMM_TILE = { bm: 32, bn: 32, bk: 16, tm: 4, tn: 4 } as const;

export function gemmWorkgroupSize(c: GemmConfig): number {
  return (c.bn / c.tn) * (c.bm / c.tm);
}

export function gemmKernel(c: GemmConfig): KernelSpec {
  const { bm, bn, bk, tm, tn } = c;
  if (tm % 4 || tn % 4 || bm % tm || bn % tn) throw new Error(`gemm: bad tile ${JSON.stringify(c)}`);
  if (c.symOut && (c.bm !== c.bn || c.b !== 't')) throw new Error('gemm: symOut needs square tiles and C = X X^T');
  const tx = bn / tn, ty = bm / tm, wg = tx * ty;
  const am4 = bm / 4, bn4 = bn / 4, tm4 = tm / 4, tn4 = tn / 4;
  const aSlots = bk * am4, bSlots = bk * bn4;
  const key = `gemm.${c.a}${c.b}${c.symOut ? '.symout' : ''}.${bm}x${bn}x${bk}.${tm}x${tn}`;

  // One A value (row m, depth k) as a WGSL expression; bounds are checked by the caller.
  const aAt = (m: string, k: string) =>
    c.a === 'n' ? `A[${m} * p.k + ${k}]` : c.a === 't' ? `A[${k} * p.m + ${m}]` : `(A[${m} * p.k + ${k}] + A[${k} * p.m + ${m}])`;
  const bAt = (k: string, n: string) => (c.b === 'n' ? `B[${k} * p.n + ${n}]` : `B[${n} * p.k + ${k}]`);
  // Slot -> (k, group of 4): let consecutive threads read consecutive addresses.
  const aSlot = c.a === 't' ? `let kk = s / ${am4}u; let g4 = s % ${am4}u;` : `let kk = s % ${bk}u; let g4 = s / ${bk}u;`;
  const bSlot = c.b === 'n' ? `let kk = s / ${bn4}u; let g4 = s % ${bn4}u;` : `let kk = s % ${bk}u; let g4 = s / ${bk}u;`;

  const lines: string[] = [];
  for (let i = 0; i < tm; i++) lines.push(`var acc${i} = array<vec4f, ${tn4}>();`);
  const decl = lines.join('\n  ');
  const inner: string[] = [];
  for (let j = 0; j < tn4; j++) inner.push(`let b${j} = Bs[kk * ${bn4}u + tx * ${tn4}u + ${j}u];`);
  for (let i4 = 0; i4 < tm4; i4++) {
    inner.push(`let a${i4} = As[kk * ${am4}u + ty * ${tm4}u + ${i4}u];`);
    for (let e = 0; e < 4; e++)
      for (let j = 0; j < tn4; j++) inner.push(`acc${i4 * 4 + e}[${j}] = fma(vec4f(a${i4}[${e}]), b${j}, acc${i4 * 4 + e}[${j}]);`);
  }
  const store: string[] = [];
  for (let i = 0; i < tm; i++)
    for (let j = 0; j < tn4; j++)
      for (let e = 0; e < 4; e++) {
        const v = `acc${i}[${j}][${e}]`;
        store.push(`put(m0 + ty * ${tm}u + ${i}u, n0 + tx * ${tn}u + ${j * 4 + e}u, ${v});`);
      }

  const tileOrigin = c.symOut
    ? `// Upper-triangular tile (ti <= tj) from the linear workgroup index; uniform per workgroup.
  let l = wid.x + wid.y * nwg.x;
  var ti = 0u;
  var rem = l;
  for (; ti < p.tiles && rem >= p.tiles - ti; ti++) { rem -= p.tiles - ti; }
  let m0 = ti * ${bm}u;
  let n0 = (ti + rem) * ${bn}u;
  let mirror = rem != 0u;`
    : `let m0 = wid.y * ${bm}u;
  let n0 = wid.x * ${bn}u;`;
  const put = c.symOut
    ? `fn put(m: u32, n: u32, v: f32) {
  if (m < p.m && n < p.n) { C[m * p.n + n] = v; }
}
fn putSym(m: u32, n: u32, v: f32, mirror: bool) {
  if (m < p.m && n < p.n) { C[m * p.n + n] = v; if (mirror) { C[n * p.n + m] = v; } }
}`
    : `fn put(m: u32, n: u32, v: f32) {
  if (m < p.m && n < p.n) { C[m * p.n + n] = v; }
}`;
  const storeCode = c.symOut ? store.map((s) => s.replace('put(', 'putSym(').replace(');', ', mirror);')) : store;

  const b = binds('A:read', 'B:read', 'C:read_write', 'p:uniform');
  const code = `struct P { m: u32, n: u32, k: u32, tiles: u32 }
${bindingsWgsl(b, { A: 'array<f32>', B: 'array<f32>', C: 'array<f32>', p: 'P' })}
var<workgroup> As: array<vec4f, ${aSlots}>;
var<workgroup> Bs: array<vec4f, ${bSlots}>;
${put}
@compute @workgroup_size(${wg}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  ${tileOrigin}
  let tx = lid % ${tx}u;
  let ty = lid / ${tx}u;
  ${decl}
  for (var k0 = 0u; k0 < p.k; k0 += ${bk}u) {
    for (var s = lid; s < ${aSlots}u; s += ${wg}u) {
      ${aSlot}
      let k = k0 + kk;
      var v = vec4f();
      for (var e = 0u; e < 4u; e++) {
        let m = m0 + g4 * 4u + e;
        if (m < p.m && k < p.k) { v[e] = ${aAt('m', 'k')}; }
      }
      As[kk * ${am4}u + g4] = v;
    }
    for (var s = lid; s < ${bSlots}u; s += ${wg}u) {
      ${bSlot}
      let k = k0 + kk;
      var v = vec4f();
      for (var e = 0u; e < 4u; e++) {
        let n = n0 + g4 * 4u + e;
        if (n < p.n && k < p.k) { v[e] = ${bAt('k', 'n')}; }
      }
      Bs[kk * ${bn4}u + g4] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${bk}u; kk++) {
      ${inner.join('\n      ')}
    }
    workgroupBarrier();
  }
  ${storeCode.join('\n  ')}
}`;
  return defineKernel(key, code, b);
}

/** Workgroup grid for a GEMM of C [m, n]. */
export function gemmGrid(c: GemmConfig, m: number, n: number): { grid: [number, number, number]; tiles: number } {
  if (c.symOut) {
    const tiles = Math.ceil(m / c.bm);
    return { grid: grid1d((tiles * (tiles + 1)) / 2, 1), tiles };
  }
  return { grid: [Math.max(1, Math.ceil(n / c.bn)), Math.max(1, Math.ceil(m / c.bm)), 1], tiles: 0 };
}

/** Threads per row of the normalisation kernels. */
export const NORM_WG = 64;

const rowHead = `@compute @workgroup_size(${NORM_WG}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32)`;

/** u = v / max(|v|, eps) per row of v [n, q] (as torch.nn.functional.normalize). */
export function normalizeRowsKernel(): KernelSpec {
  const b = binds('v:read', 'u:read_write', 'p:uniform');
  return defineKernel(
    `gram.normalize.wg${NORM_WG}`,
    `struct P { n: u32, q: u32, eps: f32 }
${bindingsWgsl(b, { v: 'array<f32>', u: 'array<f32>', p: 'P' })}
var<workgroup> red: array<f32, ${NORM_WG}>;
${rowHead} {
  let row = wid.x + wid.y * nwg.x;
  let ok = row < p.n;
  let base = row * p.q;
  var s = 0.0;
  if (ok) { for (var j = lid; j < p.q; j += ${NORM_WG}u) { let x = v[base + j]; s += x * x; } }
  red[lid] = s;
  ${treeReduceWgsl('red', 'lid', NORM_WG, 'a + b')}
  let inv = 1.0 / max(sqrt(red[0]), p.eps);
  if (ok) { for (var j = lid; j < p.q; j += ${NORM_WG}u) { u[base + j] = v[base + j] * inv; } }
}`,
    b,
  );
}

/**
 * dv = du / |v| - v (v . du) / |v|^3 where |v| > eps (the radial part of du is projected out);
 * dv = du / eps where the norm was clamped (u = v / eps is linear there).
 */
export function normalizeRowsBackwardKernel(): KernelSpec {
  const b = binds('v:read', 'du:read', 'dv:read_write', 'p:uniform');
  return defineKernel(
    `gram.normalize_bwd.wg${NORM_WG}`,
    `struct P { n: u32, q: u32, eps: f32 }
${bindingsWgsl(b, { v: 'array<f32>', du: 'array<f32>', dv: 'array<f32>', p: 'P' })}
var<workgroup> red: array<f32, ${NORM_WG}>;
var<workgroup> red2: array<f32, ${NORM_WG}>;
${rowHead} {
  let row = wid.x + wid.y * nwg.x;
  let ok = row < p.n;
  let base = row * p.q;
  var s = 0.0;
  var d = 0.0;
  if (ok) { for (var j = lid; j < p.q; j += ${NORM_WG}u) { let x = v[base + j]; s += x * x; d += x * du[base + j]; } }
  red[lid] = s;
  red2[lid] = d;
  workgroupBarrier();
  for (var rs = ${NORM_WG / 2}u; rs > 0u; rs = rs >> 1u) {
    if (lid < rs) { red[lid] += red[lid + rs]; red2[lid] += red2[lid + rs]; }
    workgroupBarrier();
  }
  let nrm = sqrt(red[0]);
  let clamped = nrm <= p.eps;
  let inv = 1.0 / max(nrm, p.eps);
  let radial = select(red2[0] * inv * inv * inv, 0.0, clamped);
  if (ok) { for (var j = lid; j < p.q; j += ${NORM_WG}u) { dv[base + j] = du[base + j] * inv - v[base + j] * radial; } }
}`,
    b,
  );
}

export const GATHER_WG = 256;

/**
 * Gathers the rows of r [H*W, C] at pixels y % s == 0 and x % s == 0 (row-major) into
 * out [ceil(H/s) * ceil(W/s), C]. Backward scatters them back (other rows get 0).
 */
export function stridedRowsKernel(backward: boolean): KernelSpec {
  const b = binds('src:read', 'dst:read_write', 'p:uniform');
  const body = backward
    ? `// dst is dr [H*W, C]; src is the gathered gradient.
  if (i < p.h * p.w * p.c) {
    let pix = i / p.c;
    let ch = i - pix * p.c;
    let y = pix / p.w;
    let x = pix - y * p.w;
    var g = 0.0;
    if (y % p.s == 0u && x % p.s == 0u) { g = src[((y / p.s) * p.ws + x / p.s) * p.c + ch]; }
    dst[i] = g;
  }`
    : `// dst is the gathered [hs * ws, C].
  if (i < p.hs * p.ws * p.c) {
    let row = i / p.c;
    let ch = i - row * p.c;
    let y = (row / p.ws) * p.s;
    let x = (row % p.ws) * p.s;
    dst[i] = src[(y * p.w + x) * p.c + ch];
  }`;
  return defineKernel(
    `gram.strided_rows${backward ? '_bwd' : ''}.wg${GATHER_WG}`,
    `struct P { h: u32, w: u32, c: u32, s: u32, hs: u32, ws: u32 }
${bindingsWgsl(b, { src: 'array<f32>', dst: 'array<f32>', p: 'P' })}
@compute @workgroup_size(${GATHER_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * ${GATHER_WG}u);
  ${body}
}`,
    b,
  );
}

export const gramKernels = (): KernelSpec[] => {
  const t = GEMM_TILE;
  return [
    gemmKernel({ a: 'n', b: 't', symOut: true, ...t }),
    gemmKernel({ a: 'n', b: 't', symOut: false, ...t }),
    gemmKernel({ a: 'n', b: 'n', symOut: false, ...t }),
    gemmKernel({ a: 't', b: 'n', symOut: false, ...t }),
    gemmKernel({ a: 'sym', b: 'n', symOut: false, ...t }),
    normalizeRowsKernel(),
    normalizeRowsBackwardKernel(),
    stridedRowsKernel(false),
    stridedRowsKernel(true),
  ];
};
