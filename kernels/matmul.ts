// Tiled GEMM in WGSL: C[M,N] = A[M,K] B[K,N] (+ bias[N] broadcast over rows).
//
// One generator serves every GEMM-shaped kernel of the project. A family supplies WGSL
// loaders, `loadA(m, k)` and `loadB(k, n)`, that read one element of the logical operands
// (called only for in-range m < M, n < N, k < K); the core does the rest: a workgroup owns a
// BM x BN tile of C, walks K in steps of BK, stages both operand tiles in workgroup memory
// (zero-filled past the edges, so any M, N, K works) and every invocation accumulates an
// RM x RN block of outputs in registers. Plain matmul, its transposed variants and the
// implicit-GEMM convolutions (kernels/conv2d.ts) differ only in their loaders; this is
// TF.js's mm_readA / mm_readB idea.
//
// Workgroup tiles are vec4 arrays laid out along each operand's contiguous memory direction
// ([m][k/4] when A is stored [M,K], [k][m/4] when stored [K,M]; likewise for B), so an
// invocation reads RM + RN vec4 per 4 steps of k in either layout. When the contiguous sizes
// are multiples of 4, the family's `loadA4` / `loadB4` fill the tiles with one vec4 per
// load as well (the operands are then bound as arrays of vec4).
//
// Why vec4 and big register blocks: on lavapipe (the CPU Vulkan driver this project mostly
// runs on) every load or store of a storage or workgroup buffer inside a loop is emitted lane
// by lane (~10 instructions per lane, plus a few per extra component), while an FMA is one
// SIMD instruction for 8 lanes. What counts is FMAs per memory operation: an RM x RN block
// does RM*RN*4 FMAs per RM + RN vec4 reads. GPUs like the same vec4 traffic (TF.js's
// matmul_packed does it), with smaller blocks: the tile is a parameter.
//
// Split-K: workgroup z handles k in [z*kChunk, min(K, (z+1)*kChunk)) and writes its partial
// tile to plane z of C ([split, M, N]); sumPlanesKernel adds the planes in a fixed order, so
// results stay deterministic. Bias is added by plane 0 only.
//
// The store stage is shared too: the family's epilogue (a scale such as the patch loss's
// 2 g, kernels/gram.ts), the bias option, and the symmetric option for C = X X^T, which
// runs only the tiles on and above the diagonal and writes each off-diagonal entry twice
// (half the work, and C exactly symmetric).
//
// Every output is one fma chain over k in increasing order (per split-K plane), whatever
// the tile: tiles change speed, not results.
import { binds, defineKernel, grid1d, type UniformType } from './spec.ts';

/**
 * Tile shape: a workgroup computes BM x BN outputs with (BM/RM) x (BN/RN) invocations, each
 * an RM x RN block; K advances BK at a time. RM, RN and BK are multiples of 4.
 */
export interface GemmTile {
  bm: number;
  bn: number;
  bk: number;
  rm: number;
  rn: number;
}

/**
 * Tiles per adapter kind and problem size (engine/ops/matmul.ts gemmPlan picks one, narrowing
 * BM / BN to the output when one tile covers it: N = 100 gets BN = 112, not 128). On lavapipe
 * (bench/results/conv_matmul.json; 70x70 100->100 conv GEMMs, GFLOP per CPU-second): 16x16
 * blocks 4.0-5.0, 8x16 3.5-4.1, 8x8 ~3.2, 4x4 ~1.7 (the direct kernels of kernels/direct.ts:
 * 2.7-3.3). LLVM's compile time grows quickly with the block (cold, per kernel: 8x8 ~2-4 s,
 * 8x16 ~4-12 s, 16x16 ~7-13 s; Mesa then serves it from its on-disk shader cache), which a
 * training run repays within a few dozen steps; small products do not get these tiles.
 */
export const CPU_TILE: GemmTile = { bm: 128, bn: 128, bk: 4, rm: 16, rn: 16 };
export const CPU_SMALL_TILE: GemmTile = { bm: 32, bn: 32, bk: 4, rm: 8, rn: 8 };
/** For GPUs: 4x4 blocks, 256 invocations, TF.js-like. Not measured here (no GPU on the dev machines). */
export const GPU_TILE: GemmTile = { bm: 64, bn: 64, bk: 16, rm: 4, rn: 4 };

export function tileThreads(t: GemmTile): number {
  return (t.bm / t.rm) * (t.bn / t.rn);
}

export function tileKey(t: GemmTile): string {
  return `${t.bm}x${t.bn}x${t.bk}.${t.rm}x${t.rn}`;
}

/** Workgroup memory of a tile, in bytes. */
export const tileBytes = (t: GemmTile) => (t.bm + t.bn) * t.bk * 4;

export function checkTile(t: GemmTile): void {
  const ok =
    [t.bm, t.bn, t.bk, t.rm, t.rn].every((v) => Number.isInteger(v) && v > 0) &&
    t.rm % 4 === 0 &&
    t.rn % 4 === 0 &&
    t.bk % 4 === 0 &&
    t.bm % t.rm === 0 &&
    t.bn % t.rn === 0 &&
    tileThreads(t) <= 256 &&
    tileBytes(t) <= 12 * 1024;
  if (!ok) throw new Error(`invalid GEMM tile ${tileKey(t)} (RM, RN, BK multiples of 4, BM % RM = BN % RN = 0, <= 256 invocations, <= 12 KiB)`);
}

/** What a GEMM family plugs into the core. */
export interface GemmFamily {
  /** Unique name of the loaders (part of the pipeline key). */
  name: string;
  /**
   * WGSL defining `fn loadA(m: u32, k: u32) -> f32` and `fn loadB(k: u32, n: u32) -> f32` over
   * `a`, `b`: array<f32>. They may use the uniforms `p` and `divu` (see DIVU).
   */
  loaders: string;
  /**
   * WGSL defining `fn loadA4(m: u32, k: u32) -> vec4<f32>` (4 consecutive elements along A's
   * contiguous direction: k when aKFast, else m) and `loadB4(k, n)` likewise, over `a`, `b`:
   * array<vec4<f32>>. Used only where the caller says the sizes allow it (gemmKernel's fill4).
   */
  loaders4?: string;
  /**
   * Extra uniform fields after the core's (m, n, k, kChunk), u32 unless named 'name:f32' or
   * 'name:i32' (as binds() names accesses), e.g. ['h', 'w', 'c'] or ['t:f32'].
   */
  extraFields?: readonly string[];
  /** Extra read-only storage bindings (array<f32>) the loaders or the epilogue read; bound after c. */
  extraBindings?: readonly string[];
  /**
   * Store hook: WGSL statements run once per invocation before the stores (`setup`, e.g. read a
   * scale from a binding) and the stored value given an accumulator expression, f32 or
   * vec4<f32> (`value`, e.g. (v) => `alpha * ${v}`). Bias, when asked, is added after it. Under
   * split-K it applies to each plane, so it must be linear in the accumulator.
   */
  epilogue?: { setup?: string; value: (acc: string) => string };
  /** True where consecutive k of A are adjacent in memory (A stored [M,K]). */
  aKFast: boolean;
  /** True where consecutive k of B are adjacent in memory (B stored [N,K]). */
  bKFast: boolean;
}

/**
 * a / b for a, b < 2^24 through an f32 quotient corrected by one either way. Integer division
 * by a runtime value has no SIMD instruction on CPUs (lavapipe scalarises it per lane); this
 * stays in vector registers. Exact while the quotient is below 2^21: a and b convert exactly
 * and WGSL's f32 division (within 2.5 ulp) then lands within 1 of it. Our quotients are taps
 * (< 9) and image rows.
 */
const DIVU = `fn divu(a: u32, b: u32) -> u32 {
  var q = u32(f32(a) / f32(b));
  q = select(q, q - 1u, q * b > a);
  q = select(q, q + 1u, (q + 1u) * b <= a);
  return q;
}`;

/**
 * Emits the (unrolled) loads of one operand tile, BX x BK elements spread over T invocations,
 * in memory order so neighbouring invocations read neighbouring addresses. With fill4 each
 * invocation moves vec4 groups along the contiguous direction.
 */
function tileFill(op: 'A' | 'B', bx: number, bk: number, threads: number, kFast: boolean, fill4: boolean): string {
  const tile = op === 'A' ? 'As' : 'Bs';
  const base = op === 'A' ? 'm0' : 'n0';
  const lim = op === 'A' ? 'p.m' : 'p.n';
  const call = (suffix: string) => (op === 'A' ? `loadA${suffix}(x, k)` : `loadB${suffix}(k, x)`);
  const total = fill4 ? (bx * bk) / 4 : bx * bk;
  const out: string[] = [];
  for (let i = 0; i < Math.ceil(total / threads); i++) {
    const e = `tid + ${i * threads}u`;
    let body: string;
    if (fill4) {
      // Group e covers 4 elements along the contiguous direction; the tile row holds them as one vec4.
      const [xx, kk, slot] = kFast
        ? [`(${e}) / ${bk / 4}u`, `(${e}) % ${bk / 4}u * 4u`, `xx * ${bk / 4}u + kk / 4u`]
        : [`(${e}) % ${bx / 4}u * 4u`, `(${e}) / ${bx / 4}u`, `kk * ${bx / 4}u + xx / 4u`];
      body = `{ let xx = ${xx}; let kk = ${kk}; let x = ${base} + xx; let k = k0 + kk;
      var v = vec4<f32>(); if (x < ${lim} && k < kEnd) { v = ${call('4')}; } ${tile}[${slot}] = v; }`;
    } else {
      const [xx, kk, slot] = kFast
        ? [`(${e}) / ${bk}u`, `(${e}) % ${bk}u`, `${tile}[xx * ${bk / 4}u + kk / 4u][kk % 4u]`]
        : [`(${e}) % ${bx}u`, `(${e}) / ${bx}u`, `${tile}[kk * ${bx / 4}u + xx / 4u][xx % 4u]`];
      body = `{ let xx = ${xx}; let kk = ${kk}; let x = ${base} + xx; let k = k0 + kk;
      var v = 0.0; if (x < ${lim} && k < kEnd) { v = ${call('')}; } ${slot} = v; }`;
    }
    out.push((i + 1) * threads > total ? `    if (${e} < ${total}u) ${body}` : `    ${body}`);
  }
  return out.join('\n');
}

/**
 * Register reads of one operand for 4 steps of k (group kq of the tile): RX vec4 either way.
 * Returns the statements and an accessor (row/col r, step c) -> WGSL scalar.
 */
function tileReads(op: 'A' | 'B', bx: number, bk: number, rx: number, kFast: boolean, kq: number): [string, (r: number, c: number) => string] {
  const tile = op === 'A' ? 'As' : 'Bs', lane = op === 'A' ? 'lid.y' : 'lid.x';
  const v = `${op === 'A' ? 'a' : 'b'}${kq}_`;
  const xyzw = 'xyzw';
  if (kFast) {
    const reads = [...Array(rx).keys()].map((r) => `let ${v}${r} = ${tile}[(${lane} * ${rx}u + ${r}u) * ${bk / 4}u + ${kq}u];`);
    return [reads.join(' '), (r, c) => `${v}${r}.${xyzw[c]}`];
  }
  const reads: string[] = [];
  for (let c = 0; c < 4; c++)
    for (let q = 0; q < rx / 4; q++) reads.push(`let ${v}${c}_${q} = ${tile}[${(kq * 4 + c) * (bx / 4)}u + ${lane} * ${rx / 4}u + ${q}u];`);
  return [reads.join(' '), (r, c) => `${v}${c}_${r >> 2}.${xyzw[r & 3]}`];
}

export interface GemmKernelOptions {
  tile?: GemmTile;
  /** Add bias[n] to every row (plane 0 only under split-K). */
  bias?: boolean;
  /** Fill the tiles with the family's vec4 loaders; the caller checks the sizes allow it. */
  fill4?: boolean;
  /**
   * Write C (and read bias) as vec4: needs N % 4 = 0. A quarter of the per-lane stores, which
   * on lavapipe also cuts compile time (each store is a branchy per-lane sequence).
   */
  store4?: boolean;
  /**
   * Batched GEMM: workgroup z is the batch index b (no split-K), A, B and C are [batch, ...]
   * stacks of the operands (offsets b*M*K, b*K*N, b*M*N), read by the family's loaders
   * through the private `bz` (see batchedMatmulFamily). Winograd convolution's 16 products.
   */
  batched?: boolean;
  /**
   * C = X X^T (M = N, the family's operands symmetric in that sense): workgroups cover only
   * the tiles on and above the diagonal (gemmGrid's `symmetric`) and off-diagonal tiles also
   * write the mirrored entries. Needs a square tile (BM = BN), scalar stores and no bias.
   */
  symmetric?: boolean;
}

/** Builds the WGSL of a GEMM kernel for a family, tile and epilogue. */
export function gemmKernel(
  family: GemmFamily,
  { tile = GPU_TILE, bias = false, fill4 = false, store4 = false, batched = false, symmetric = false }: GemmKernelOptions = {},
) {
  checkTile(tile);
  if (batched && bias) throw new Error('a batched GEMM takes no bias');
  if (fill4 && !family.loaders4) throw new Error(`gemm ${family.name} has no vec4 loaders`);
  // A vec4 store of a mirrored entry would be a read-modify-write racing with other workgroups.
  if (symmetric && (tile.bm !== tile.bn || store4 || bias || batched)) throw new Error(`gemm ${family.name}: a symmetric store needs a square tile, scalar stores, no bias, no batch`);
  const extra = (family.extraBindings ?? []).map((name) => `${name}:read`);
  const b = binds('a:read', 'b:read', ...(bias ? ['bias:read'] : []), 'c:read_write', ...extra, 'p:uniform');
  const fill = fill4 ? 'array<vec4<f32>>' : 'array<f32>';
  const out = store4 ? 'array<vec4<f32>>' : 'array<f32>';
  return defineKernel({
    key: `gemm.${family.name}.${tileKey(tile)}${bias ? '.bias' : ''}${fill4 ? '.v4' : ''}${store4 ? '.s4' : ''}${batched ? '.batched' : ''}${symmetric ? '.sym' : ''}`,
    bindings: b,
    types: { a: fill, b: fill, bias: out, c: out },
    uniforms: gemmUniforms(family),
    workgroup: [tile.bn / tile.rn, tile.bm / tile.rm, 1],
    source: (decls) => gemmWgsl(family, { tile, bias, fill4, store4, batched, symmetric }, decls),
  });
}

/** m, n, k, kChunk (the depth of one split-K plane) and the family's own fields (u32 unless typed). */
function gemmUniforms(family: GemmFamily): Record<string, UniformType> {
  return Object.fromEntries(
    ['m', 'n', 'k', 'kChunk', ...(family.extraFields ?? [])].map((f) => {
      const [name, type = 'u32'] = f.split(':') as [string, UniformType?];
      if (type !== 'u32' && type !== 'f32' && type !== 'i32') throw new Error(`gemm uniform ${f}: type must be u32, f32 or i32`);
      return [name, type];
    }),
  );
}

/**
 * Origin (m0, n0) of the workgroup's tile. Symmetric: the linear workgroup index l walks the
 * upper-triangular tiles row by row (row ti holds tiles - ti of them); uniform per workgroup.
 * Indices past the last tile give m0 >= M, whose outputs are never stored.
 */
function tileOrigin(bm: number, bn: number, symmetric: boolean): string {
  if (!symmetric) return `let m0 = wid.y * ${bm}u;\n  let n0 = wid.x * ${bn}u;`;
  return `let tiles = (p.m + ${bm - 1}u) / ${bm}u;
  var ti = 0u;
  var rem = wid.x + wid.y * nwg.x;
  for (; ti < tiles && rem >= tiles - ti; ti++) { rem -= tiles - ti; }
  let m0 = ti * ${bm}u;
  let n0 = (ti + rem) * ${bn}u;
  let mirror = rem != 0u;`;
}

/** The WGSL of gemmKernel, built only when the runtime has no pipeline for its key yet. */
function gemmWgsl(family: GemmFamily, { tile, bias, fill4, store4, batched, symmetric }: Required<GemmKernelOptions>, decls: string): string {
  const { bm, bn, bk, rm, rn } = tile;
  const tx = bn / rn, ty = bm / rm, threads = tx * ty;
  const I = [...Array(rm).keys()], J = [...Array(rn).keys()];
  const decl = I.map((i) => J.map((j) => `var c${i}_${j} = 0.0;`).join(' ')).join('\n  ');
  // The whole BK slice is unrolled: all register reads first, then each accumulator's BK
  // FMAs back to back. The chain stays in SSA values and the accumulator (a loop-carried
  // variable, which lavapipe stores through the execution mask) is written once per slice.
  const reads: string[] = [];
  const aOf: ((r: number, c: number) => string)[] = [], bOf: ((r: number, c: number) => string)[] = [];
  for (let kq = 0; kq < bk / 4; kq++) {
    const [ra, fa] = tileReads('A', bm, bk, rm, family.aKFast, kq);
    const [rb, fb] = tileReads('B', bn, bk, rn, family.bKFast, kq);
    reads.push(ra, rb);
    aOf.push(fa);
    bOf.push(fb);
  }
  const chain = (i: number, j: number) => {
    let e = `c${i}_${j}`;
    for (let kq = 0; kq < bk / 4; kq++) for (let c = 0; c < 4; c++) e = `fma(${aOf[kq]!(i, c)}, ${bOf[kq]!(j, c)}, ${e})`;
    return `c${i}_${j} = ${e};`;
  };
  const fmas = I.map((i) => J.map((j) => chain(i, j)).join('\n    ')).join('\n    ');
  const stores = storeWgsl(family, tile, bias, store4, symmetric);
  return `// gemm ${family.name}, tile ${tileKey(tile)}${bias ? ', bias' : ''}${fill4 ? ', vec4 fill' : ''}${store4 ? ', vec4 store' : ''}${symmetric ? ', symmetric' : ''}
${decls}
var<workgroup> As: array<vec4<f32>, ${(bm * bk) / 4}>;
var<workgroup> Bs: array<vec4<f32>, ${(bn * bk) / 4}>;
${batched ? 'var<private> bz: u32;' : ''}
${DIVU}
${fill4 ? family.loaders4 : family.loaders}
@compute @workgroup_size(${tx}, ${ty}, 1)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3u${symmetric ? ', @builtin(num_workgroups) nwg: vec3u' : ''}) {
  ${tileOrigin(bm, bn, symmetric)}
  ${batched ? 'bz = wid.z; let kBegin = 0u; let kEnd = p.k;' : 'let kBegin = wid.z * p.kChunk; let kEnd = min(p.k, kBegin + p.kChunk);'}
  ${decl}
  for (var k0 = kBegin; k0 < kEnd; k0 += ${bk}u) {
${tileFill('A', bm, bk, threads, family.aKFast, fill4)}
${tileFill('B', bn, bk, threads, family.bKFast, fill4)}
    workgroupBarrier();
    ${reads.join('\n    ')}
    ${fmas}
    workgroupBarrier();
  }
  let plane = wid.z * p.m * p.n;${batched ? ' // batch offset' : ''}
  ${stores}
}
`;
}

/**
 * The store stage: the family's epilogue, the bias (one read per output column of the
 * invocation, hoisted out of the row loop; reads past N are clamped by the WebGPU robustness
 * rules and never stored), then the writes of C, mirrored ones included for a symmetric C.
 */
function storeWgsl(family: GemmFamily, { rm, rn }: GemmTile, bias: boolean, store4: boolean, symmetric: boolean): string {
  const I = [...Array(rm).keys()], J = [...Array(rn).keys()];
  const value = family.epilogue?.value ?? ((v: string) => v);
  const setup = family.epilogue?.setup ?? '';
  let biasReads = '';
  let stores: string;
  if (store4) {
    // Columns n0 + lid.x*RN + 4q .. +3 are all inside or all outside (N % 4 = 0).
    const col = (q: number) => `n0 + lid.x * ${rn}u + ${4 * q}u`;
    if (bias) biasReads = [...Array(rn / 4).keys()].map((q) => `let bias${q} = select(vec4<f32>(), bias[(${col(q)}) / 4u], wid.z == 0u);`).join(' ');
    stores = I.map((i) => {
      const groups = [...Array(rn / 4).keys()].map((q) => {
        const v = value(`vec4<f32>(${[0, 1, 2, 3].map((t) => `c${i}_${4 * q + t}`).join(', ')})`);
        return `if (r < p.m && ${col(q)} < p.n) { c[(plane + r * p.n + ${col(q)}) / 4u] = ${bias ? `${v} + bias${q}` : v}; }`;
      });
      return `{ let r = m0 + lid.y * ${rm}u + ${i}u;\n    ${groups.join('\n    ')} }`;
    }).join('\n  ');
  } else {
    const col = (j: number) => `n0 + lid.x * ${rn}u + ${j}u`;
    if (bias) biasReads = J.map((j) => `let bias${j} = select(0.0, bias[${col(j)}], wid.z == 0u);`).join(' ');
    // Off-diagonal tiles of a symmetric C also write the mirrored entry, so every entry is
    // written exactly once.
    const write = symmetric
      ? (v: string, j: number) => `{ let v = ${v}; c[plane + r * p.n + ${col(j)}] = v; if (mirror) { c[plane + (${col(j)}) * p.n + r] = v; } }`
      : (v: string, j: number) => `{ c[plane + r * p.n + ${col(j)}] = ${v}; }`;
    stores = I.map((i) => {
      const cols = J.map((j) => `if (r < p.m && ${col(j)} < p.n) ${write(bias ? `${value(`c${i}_${j}`)} + bias${j}` : value(`c${i}_${j}`), j)}`);
      return `{ let r = m0 + lid.y * ${rm}u + ${i}u;\n    ${cols.join('\n    ')} }`;
    }).join('\n  ');
  }
  return [setup, biasReads, stores].filter((x) => x).join('\n  ');
}

/**
 * Workgroup grid of a GEMM dispatch: x over N tiles, y over M tiles, z over K splits. A
 * symmetric C (gemmKernel's `symmetric`) gets one workgroup per tile on or above the
 * diagonal, folded into x and y.
 */
export function gemmGrid(m: number, n: number, split: number, tile: GemmTile, symmetric = false): [number, number, number] {
  if (symmetric) {
    const tiles = Math.ceil(m / tile.bm);
    const [x, y] = grid1d((tiles * (tiles + 1)) / 2, 1);
    return [x, y, split];
  }
  return [Math.ceil(n / tile.bn), Math.ceil(m / tile.bm), split];
}

/**
 * Plain matmul loaders: A stored [M,K] (or [K,M] when transA), B stored [K,N] (or [N,K]).
 * vec4 loads need the contiguous sizes to be multiples of 4: see matmulFill4.
 */
export function matmulFamily(transA: boolean, transB: boolean): GemmFamily {
  const la = transA ? 'k * p.m + m' : 'm * p.k + k';
  const lb = transB ? 'n * p.k + k' : 'k * p.n + n';
  return {
    name: `mm${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`,
    loaders: `fn loadA(m: u32, k: u32) -> f32 { return a[${la}]; }
fn loadB(k: u32, n: u32) -> f32 { return b[${lb}]; }`,
    loaders4: `fn loadA4(m: u32, k: u32) -> vec4<f32> { return a[(${la}) / 4u]; }
fn loadB4(k: u32, n: u32) -> vec4<f32> { return b[(${lb}) / 4u]; }`,
    aKFast: !transA,
    bKFast: transB,
  };
}

/**
 * Matmul loaders over stacks of operands: batch bz's A starts at bz*M*K and its B at bz*K*N,
 * each stored as in matmulFamily. Used with gemmKernel's `batched` option.
 */
export function batchedMatmulFamily(transA: boolean, transB: boolean): GemmFamily {
  const la = `bz * p.m * p.k + ${transA ? 'k * p.m + m' : 'm * p.k + k'}`;
  const lb = `bz * p.k * p.n + ${transB ? 'n * p.k + k' : 'k * p.n + n'}`;
  return {
    name: `bmm${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`,
    loaders: `fn loadA(m: u32, k: u32) -> f32 { return a[${la}]; }
fn loadB(k: u32, n: u32) -> f32 { return b[${lb}]; }`,
    loaders4: `fn loadA4(m: u32, k: u32) -> vec4<f32> { return a[(${la}) / 4u]; }
fn loadB4(k: u32, n: u32) -> vec4<f32> { return b[(${lb}) / 4u]; }`,
    aKFast: !transA,
    bKFast: transB,
  };
}

/** Whether a matmul's operands can be loaded as vec4: each one's contiguous size is a multiple of 4. */
export function matmulFill4(m: number, n: number, k: number, transA: boolean, transB: boolean): boolean {
  return (transA ? m : k) % 4 === 0 && (transB ? k : n) % 4 === 0;
}

export function matmulKernel(transA: boolean, transB: boolean, opts: GemmKernelOptions = {}) {
  return gemmKernel(matmulFamily(transA, transB), opts);
}

// ---------- reductions that go with GEMMs ----------

const PLANES_WG = 256;

/** out[i] = sum over s of parts[s * n + i], s = 0, 1, ... in order (split-K second stage). */
export function sumPlanesKernel() {
  return defineKernel({
    key: 'gemm.sum_planes',
    bindings: binds('parts:read', 'out:read_write', 'p:uniform'),
    uniforms: { n: 'u32', planes: 'u32' },
    workgroup: PLANES_WG,
    source: (decls) => `${decls}
@compute @workgroup_size(${PLANES_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * ${PLANES_WG}u);
  if (i >= p.n) { return; }
  var s = parts[i];
  for (var z = 1u; z < p.planes; z++) { s += parts[z * p.n + i]; }
  out[i] = s;
}`,
  });
}

