// Cosine-similarity Gram matrices: row L2 normalisation (forward and backward), a tiled GEMM
// with the operand forms the Gram backward needs, and the stride-2 row gather of MSInet's
// patch loss.
//
// The GEMM computes C[M, N] = opA [M, K] x opB [K, N] where
//   opA: 'n' A stored [M, K] | 't' A stored [K, M] | 'sym' A + A^T (A square [M, M])
//        | 'patch' w(A) with w the patch loss's derivative (below), C scaled by 2 g
//   opB: 'n' B stored [K, N] | 't' B stored [N, K]
// Each workgroup computes a BM x BN tile of C and each thread a TM x TN register block of it.
// Two ways to feed the FMAs (GemmTile.stage): the staged form walks K in BK-deep slices held
// in workgroup memory as vec4 (the GPU form: each loaded value is reused by many threads);
// the direct form lets each thread read its operands from the buffers (the CPU-rasteriser
// form, see GEMM_TILE_CPU). The runtime's adapter picks one (engine/ops/gram.ts). `symOut`
// (C = X X^T) computes only the tiles on and above the diagonal and mirrors them, halving
// the forward Gram and making S exactly symmetric.
import { binds, defineKernel, grid1d, type KernelSpec } from './spec.ts';

/**
 * 'patch' is the backward of patchLoss(U U^T) fused into one GEMM: with S = A symmetric,
 * dU = (dS + dS^T) U = 2 g w(S) U where w(s) = -1/#pos for s > t, 1/#neg for 0 < s < t, 0
 * otherwise, read from `coef` = (1/#pos, 1/#neg) and the upstream scalar `g` on the GPU.
 * dS is never materialised and each S entry is read once (not twice as for 'sym').
 */
export type OpA = 'n' | 't' | 'sym' | 'patch';
export type OpB = 'n' | 't';

export interface GemmTile {
  /** Stage BK-deep slices of both operands in workgroup memory (GPUs), or let every thread
   *  read its operands straight from the buffers (CPU rasterisers, see GEMM_TILE_CPU). */
  stage: boolean;
  bm: number;
  bn: number;
  /** K-slice depth when staging (ignored otherwise). */
  bk: number;
  tm: number;
  tn: number;
}

export interface GemmConfig extends GemmTile {
  a: OpA;
  b: OpB;
  symOut: boolean;
}

/**
 * GPUs: 64 x 64 tiles staged in workgroup memory (2 KiB per operand), 256 threads with 4 x 4
 * outputs each: the classic shape (TF.js matmul_packed, CUTLASS's simplest tiles).
 */
export const GEMM_TILE_GPU: GemmTile = { stage: true, bm: 64, bn: 64, bk: 8, tm: 4, tn: 4 };
/**
 * CPU implementations of WebGPU (lavapipe, SwiftShader) run a workgroup's invocations as
 * SIMD lanes and emulate every per-lane load; what pays there is many FMAs per load, so
 * each of 16 threads keeps a 13 x 13 block of outputs and reads its operands directly
 * (staging only adds loads: the staged GPU tile ran ~2.5x slower at 1225 x 1225 x 100 on
 * lavapipe, bench/kernels/loss_kernels.ts --sweep). 52-wide tiles cover q = 100 in 2 tiles
 * (4% waste; 64-wide tiles waste 28%) and 1225 rows in 24.
 */
export const GEMM_TILE_CPU: GemmTile = { stage: false, bm: 52, bn: 52, bk: 0, tm: 13, tn: 13 };

const gemmCache = new Map<string, KernelSpec>();

/** The GEMM kernel for a configuration; generated once (a 13 x 13 block is ~400 lines). */
export function gemmKernel(c: GemmConfig) {
  const id = JSON.stringify([c.a, c.b, c.symOut, c.stage, c.bm, c.bn, c.bk, c.tm, c.tn]);
  let k = gemmCache.get(id);
  if (!k) gemmCache.set(id, (k = generateGemm(c)));
  return k;
}

function generateGemm(c: GemmConfig) {
  const { bm, bn, tm, tn } = c;
  const bk = c.stage ? c.bk : 0;
  if (bm % tm || bn % tn || (c.stage && (tm % 4 || tn % 4 || bk < 1))) throw new Error(`gemm: bad tile ${JSON.stringify(c)}`);
  if (c.symOut && (bm !== bn || c.b !== 't')) throw new Error('gemm: symOut needs square tiles and C = X X^T');
  const tx = bn / tn, ty = bm / tm, wg = tx * ty;
  const key = `gemm.${c.a}${c.b}${c.symOut ? '.symout' : ''}.${c.stage ? 'staged' : 'direct'}.${bm}x${bn}x${bk}.${tm}x${tn}`;

  // Operand loads. Rows / columns past the edge are clamped into range: they only feed
  // outputs that are never stored. Depth past K must read 0 (it feeds stored outputs).
  const ldA = {
    n: 'A[m * p.k + k]',
    t: 'A[k * p.m + m]',
    sym: '(A[m * p.k + k] + A[k * p.m + m])',
    patch: 'patchWeight(A[m * p.k + k])',
  }[c.a];
  const ldB = c.b === 'n' ? 'B[k * p.n + n]' : 'B[n * p.k + k]';
  const patchFns =
    c.a === 'patch'
      ? `fn patchWeight(s: f32) -> f32 { return select(select(0.0, coef[1], s > 0.0 && s < p.t), -coef[0], s > p.t); }\n`
      : '';
  const loaders = `${patchFns}fn ldA(m: u32, k: u32) -> f32 { return ${ldA}; }
fn ldB(k: u32, n: u32) -> f32 { return ${ldB}; }`;

  const accs: string[] = [];
  for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) accs.push(`var c${i}_${j} = 0.0;`);
  const fmas = (a: (i: number) => string, b: (j: number) => string, prelude: string[] = []) => {
    const out: string[] = [...prelude];
    for (let i = 0; i < tm; i++) out.push(`let a${i} = ${a(i)};`);
    for (let j = 0; j < tn; j++) out.push(`let b${j} = ${b(j)};`);
    for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) out.push(`c${i}_${j} = fma(a${i}, b${j}, c${i}_${j});`);
    return out.join('\n      ');
  };

  // Which outputs a thread owns. Direct: rows ty + i*TY, cols tx + j*TX (neighbouring threads
  // read neighbouring columns). Staged: a contiguous block, read from the tiles as vec4.
  const rowOf = (i: number) => (c.stage ? `m0 + ty * ${tm}u + ${i}u` : `m0 + ty + ${i * ty}u`);
  const colOf = (j: number) => (c.stage ? `n0 + tx * ${tn}u + ${j}u` : `n0 + tx + ${j * tx}u`);

  let kloop: string;
  let shared = '';
  if (!c.stage) {
    const idx: string[] = [];
    for (let i = 0; i < tm; i++) idx.push(`let r${i} = min(${rowOf(i)}, p.m - 1u);`);
    for (let j = 0; j < tn; j++) idx.push(`let q${j} = min(${colOf(j)}, p.n - 1u);`);
    kloop = `${idx.join('\n  ')}
  for (var k = 0u; k < p.k; k++) {
      ${fmas((i) => `ldA(r${i}, k)`, (j) => `ldB(k, q${j})`)}
  }`;
  } else {
    const am4 = bm / 4, bn4 = bn / 4;
    const aSlots = bk * am4, bSlots = bk * bn4;
    shared = `var<workgroup> As: array<vec4f, ${aSlots}>;
var<workgroup> Bs: array<vec4f, ${bSlots}>;`;
    // Slot -> (depth, group of 4 rows / cols), ordered so consecutive threads read consecutive addresses.
    const aSlot = c.a === 't' ? `let kk = s / ${am4}u; let g4 = s % ${am4}u;` : `let kk = s % ${bk}u; let g4 = s / ${bk}u;`;
    const bSlot = c.b === 'n' ? `let kk = s / ${bn4}u; let g4 = s % ${bn4}u;` : `let kk = s % ${bk}u; let g4 = s / ${bk}u;`;
    const four = (f: (e: number) => string) => `vec4f(${[0, 1, 2, 3].map(f).join(', ')})`;
    // One vec4 load per 4 rows / columns, then its components.
    const vecLoads: string[] = [];
    for (let i = 0; i < tm / 4; i++) vecLoads.push(`let av${i} = As[kk * ${am4}u + ty * ${tm / 4}u + ${i}u];`);
    for (let j = 0; j < tn / 4; j++) vecLoads.push(`let bv${j} = Bs[kk * ${bn4}u + tx * ${tn / 4}u + ${j}u];`);
    const aVec = (i: number) => `av${i >> 2}[${i & 3}]`;
    const bVec = (j: number) => `bv${j >> 2}[${j & 3}]`;
    kloop = `for (var k0 = 0u; k0 < p.k; k0 += ${bk}u) {
    for (var s = lid; s < ${aSlots}u; s += ${wg}u) {
      ${aSlot}
      let k = min(k0 + kk, p.k - 1u);
      let m = m0 + g4 * 4u;
      let v = ${four((e) => `ldA(min(m + ${e}u, p.m - 1u), k)`)};
      As[kk * ${am4}u + g4] = select(vec4f(), v, k0 + kk < p.k);
    }
    for (var s = lid; s < ${bSlots}u; s += ${wg}u) {
      ${bSlot}
      let k = min(k0 + kk, p.k - 1u);
      let n = n0 + g4 * 4u;
      let v = ${four((e) => `ldB(k, min(n + ${e}u, p.n - 1u))`)};
      Bs[kk * ${bn4}u + g4] = select(vec4f(), v, k0 + kk < p.k);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${bk}u; kk++) {
      ${fmas(aVec, bVec, vecLoads)}
    }
    workgroupBarrier();
  }`;
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
  const store: string[] = [];
  for (let i = 0; i < tm; i++)
    for (let j = 0; j < tn; j++)
      store.push(`put(${rowOf(i)}, ${colOf(j)}, ${c.a === 'patch' ? 'alpha * ' : ''}c${i}_${j}${c.symOut ? ', mirror' : ''});`);
  // Off-diagonal tiles of a symmetric product also write the mirrored entry, so every entry
  // is written exactly once and S is exactly symmetric.
  const put = c.symOut
    ? `fn put(m: u32, n: u32, v: f32, mirror: bool) {
  if (m < p.m && n < p.n) { C[m * p.n + n] = v; if (mirror) { C[n * p.n + m] = v; } }
}`
    : `fn put(m: u32, n: u32, v: f32) {
  if (m < p.m && n < p.n) { C[m * p.n + n] = v; }
}`;

  // Generated once per configuration (gemmKernel caches the spec), so not deferred further.
  const body = `${shared}
${loaders}
${put}
@compute @workgroup_size(${wg}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  ${tileOrigin}
  let tx = lid % ${tx}u;
  let ty = ${ty === 1 ? "0u; // one row of threads: row indices are uniform" : `lid / ${tx}u;`}
  ${accs.join('\n  ')}${c.a === 'patch' ? '\n  let alpha = 2.0 * g[0];' : ''}
  ${kloop}
  ${store.join('\n  ')}
}`;
  return defineKernel({
    key,
    bindings:
      c.a === 'patch'
        ? binds('A:read', 'B:read', 'C:read_write', 'coef:read', 'g:read', 'p:uniform')
        : binds('A:read', 'B:read', 'C:read_write', 'p:uniform'),
    uniforms: { m: 'u32', n: 'u32', k: 'u32', tiles: 'u32', t: 'f32' },
    workgroup: wg,
    source: (decls) => `${decls}\n${body}`,
  });
}

/** Workgroup grid for a GEMM of C [m, n]. */
export function gemmGrid(c: GemmConfig, m: number, n: number): { grid: [number, number, number]; tiles: number } {
  if (c.symOut) {
    const tiles = Math.ceil(m / c.bm);
    return { grid: grid1d((tiles * (tiles + 1)) / 2, 1), tiles };
  }
  return { grid: [Math.max(1, Math.ceil(n / c.bn)), Math.max(1, Math.ceil(m / c.bm)), 1], tiles: 0 };
}

/** Threads per workgroup of the normalisation kernels: one thread per row (no barriers;
 *  see kernels/softmax_xent.ts for why that wins at these row lengths). */
const NORM_WG = 64;

const rowHead = `@compute @workgroup_size(${NORM_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u)`;
const rowIndex = `let row = gid.x + gid.y * (nwg.x * ${NORM_WG}u);`;

/** u = v / max(|v|, eps) per row of v [n, q] (as torch.nn.functional.normalize). */
export function normalizeRowsKernel() {
  return defineKernel({
    key: `gram.normalize.wg${NORM_WG}`,
    bindings: binds('v:read', 'u:read_write', 'p:uniform'),
    uniforms: { n: 'u32', q: 'u32', eps: 'f32' },
    workgroup: NORM_WG,
    source: (decls) => `${decls}
${rowHead} {
  ${rowIndex}
  if (row < p.n) {
    let base = row * p.q;
    var s = 0.0;
    for (var j = 0u; j < p.q; j++) { let x = v[base + j]; s += x * x; }
    let inv = 1.0 / max(sqrt(s), p.eps);
    for (var j = 0u; j < p.q; j++) { u[base + j] = v[base + j] * inv; }
  }
}`,
  });
}

/**
 * dv = du / |v| - v (v . du) / |v|^3 where |v| > eps (the radial part of du is projected out);
 * dv = du / eps where the norm was clamped (u = v / eps is linear there).
 */
export function normalizeRowsBackwardKernel() {
  return defineKernel({
    key: `gram.normalize_bwd.wg${NORM_WG}`,
    bindings: binds('v:read', 'du:read', 'dv:read_write', 'p:uniform'),
    uniforms: { n: 'u32', q: 'u32', eps: 'f32' },
    workgroup: NORM_WG,
    source: (decls) => `${decls}
${rowHead} {
  ${rowIndex}
  if (row < p.n) {
    let base = row * p.q;
    var s = 0.0;
    var d = 0.0;
    for (var j = 0u; j < p.q; j++) { let x = v[base + j]; s += x * x; d += x * du[base + j]; }
    let nrm = sqrt(s);
    let inv = 1.0 / max(nrm, p.eps);
    let radial = select(d * inv * inv * inv, 0.0, nrm <= p.eps);
    for (var j = 0u; j < p.q; j++) { dv[base + j] = du[base + j] * inv - v[base + j] * radial; }
  }
}`,
  });
}

const GATHER_WG = 64;

/**
 * Gathers the rows of r [H*W, C] at pixels y % s == 0 and x % s == 0 (row-major) into
 * out [ceil(H/s) * ceil(W/s), C]; one thread per row. The backward scatters them back, one
 * thread per pixel of r writing its C gradients (0 at pixels that were not gathered).
 */
export function stridedRowsKernel(backward: boolean) {
  const body = backward
    ? `// dst is dr [H*W, C]; src is the gathered gradient.
  if (i < p.h * p.w) {
    let y = i / p.w;
    let x = i - y * p.w;
    let kept = y % p.s == 0u && x % p.s == 0u;
    let at = ((y / p.s) * p.ws + x / p.s) * p.c;
    for (var k = 0u; k < p.c; k++) { dst[i * p.c + k] = select(0.0, src[at + k], kept); }
  }`
    : `// dst is the gathered [hs * ws, C].
  if (i < p.hs * p.ws) {
    let y = (i / p.ws) * p.s;
    let x = (i % p.ws) * p.s;
    let at = (y * p.w + x) * p.c;
    for (var k = 0u; k < p.c; k++) { dst[i * p.c + k] = src[at + k]; }
  }`;
  return defineKernel({
    key: `gram.strided_rows${backward ? '_bwd' : ''}.wg${GATHER_WG}`,
    bindings: binds('src:read', 'dst:read_write', 'p:uniform'),
    uniforms: { h: 'u32', w: 'u32', c: 'u32', s: 'u32', hs: 'u32', ws: 'u32' },
    workgroup: GATHER_WG,
    source: (decls) => `${decls}
@compute @workgroup_size(${GATHER_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * ${GATHER_WG}u);
  ${body}
}`,
  });
}

export const gramKernels = (): KernelSpec[] => {
  const out: KernelSpec[] = [];
  for (const t of [GEMM_TILE_GPU, GEMM_TILE_CPU])
    for (const [a, b, symOut] of [['n', 't', true], ['n', 't', false], ['n', 'n', false], ['t', 'n', false], ['sym', 'n', false], ['patch', 'n', false]] as const)
      out.push(gemmKernel({ a, b, symOut, ...t }));
  return [
    ...out,
    normalizeRowsKernel(),
    normalizeRowsBackwardKernel(),
    stridedRowsKernel(false),
    stridedRowsKernel(true),
  ];
};
