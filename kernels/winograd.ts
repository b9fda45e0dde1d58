// Winograd F(m x m, 3x3) convolution (Lavin & Gray, 2016) for 3x3, stride 1, zero padding 1,
// channels-last maps, m = 2 or 4. With m = 2 each 2x2 block of outputs comes from a 4x4 input
// patch with 16 multiplies per (input, output) channel pair instead of 36 (2.25x fewer); with
// m = 4 a 4x4 block from a 6x6 patch with 36 instead of 144 (4x fewer), at a somewhat larger
// rounding error (interpolation points 0, +-1, +-2). Below, for m = 2 (a = m + 2 = 4, a^2 = 16
// products; m = 4: a = 6, 36 products, patches starting at (4ty - 1, 4tx - 1)). The layouts match kernels/conv2d.ts (x [P, C], weight [9*Cin, Cout], row
// tap*Cin + ci, tap = ky*3 + kx); tiles are t = ty*TW + tx over TH x TW = ceil(H/2) x ceil(W/2).
//
//   U = G g G^T          per (ci, co): weight 3x3 -> 4x4          U [16, Cin, Cout]
//   V = B^T d B          per (tile, ci): input patch 4x4 -> 4x4   V [16, T, Cin]
//   M[xi] = V[xi] U[xi]  16 GEMMs [T, Cin] x [Cin, Cout]          M [16, T, Cout]
//   Y = A^T m A          per (tile, co): 4x4 -> 2x2 outputs (+ bias)
// The input patch of tile (ty, tx) starts at (2ty - 1, 2tx - 1): the zero padding is read as 0.
// The backward pass uses the transposes of the same linear maps:
//   dM = A dY A^T, dV[xi] = dM[xi] U[xi]^T, dU[xi] = V[xi]^T dM[xi], dW = G^T dU G,
//   dX = sum over the (up to 2x2) patches covering a pixel of (B dV B^T)[its place in the patch].
// The transforms here are small elementwise kernels; the GEMMs are the tiled core's batched mode.
import { binds, defineKernel, type KernelSpec } from './spec.ts';

/** 1-D transforms, rows of coefficients (out_i = sum_a M[i][a] in_a). */
const BT = [
  [1, 0, -1, 0],
  [0, 1, 1, 0],
  [0, -1, 1, 0],
  [0, 1, 0, -1],
];
const G = [
  [1, 0, 0],
  [0.5, 0.5, 0.5],
  [0.5, -0.5, 0.5],
  [0, 0, 1],
];
const AT = [
  [1, 1, 1, 0],
  [0, 1, -1, -1],
];
// F(4x4, 3x3), points 0, 1, -1, 2, -2 and infinity.
const BT4 = [
  [4, 0, -5, 0, 1, 0],
  [0, -4, -4, 1, 1, 0],
  [0, 4, -4, -1, 1, 0],
  [0, -2, -1, 2, 1, 0],
  [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1],
];
const G4 = [
  [1 / 4, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6],
  [1 / 24, -1 / 12, 1 / 6],
  [0, 0, 1],
];
const AT4 = [
  [1, 1, 1, 1, 1, 0],
  [0, 1, -1, 2, -2, 0],
  [0, 1, 1, 4, 4, 0],
  [0, 1, -1, 8, -8, 1],
];
const transpose = (m: number[][]) => m[0]!.map((_, j) => m.map((row) => row[j]!));

/** Output tile side: 2 (F(2x2, 3x3)) or 4 (F(4x4, 3x3)). */
export type WinogradTile = 2 | 4;
const MATRICES: Record<WinogradTile, { BT: number[][]; G: number[][]; AT: number[][] }> = { 2: { BT, G, AT }, 4: { BT: BT4, G: G4, AT: AT4 } };

/** Products per tile: (m + 2)^2. */
export const winogradProducts = (m: WinogradTile) => (m + 2) ** 2;

/** A WGSL float literal (integers get a '.0'). */
const lit = (v: number) => (Number.isInteger(v) ? `${v}.0` : `${v}`);

function term(coef: number, v: string): string {
  if (coef === 1) return `+ ${v}`;
  if (coef === -1) return `- ${v}`;
  return `${coef < 0 ? '-' : '+'} ${lit(Math.abs(coef))} * ${v}`;
}

function combo(row: number[], name: (a: number) => string): string {
  const parts = row.flatMap((c, a) => (c === 0 ? [] : [term(c, name(a))]));
  if (parts.length === 0) return '0.0';
  const s = parts.join(' ');
  return s.startsWith('+ ') ? s.slice(2) : `-${s.slice(2)}`;
}

/**
 * Straight-line WGSL for out = L . in . L^T (in: rows x rows, from `input(a, b)`); declares
 * `o<i>_<j>` for the result and returns the statements.
 */
function transform2d(L: number[][], input: (a: number, b: number) => string, tag: string): string {
  const lines: string[] = [];
  const inner = L[0]!.length;
  // Rows first: r_i_b = sum_a L[i][a] in[a][b]; then columns: o_i_j = sum_b L[j][b] r_i_b.
  for (let i = 0; i < L.length; i++)
    for (let b = 0; b < inner; b++) lines.push(`let ${tag}r${i}_${b} = ${combo(L[i]!, (a) => input(a, b))};`);
  for (let i = 0; i < L.length; i++)
    for (let j = 0; j < L.length; j++) lines.push(`let o${i}_${j} = ${combo(L[j]!, (b) => `${tag}r${i}_${b}`)};`);
  return lines.join('\n  ');
}

/** Threads: x over channels (8 per workgroup row), y (folded into z when large) over tiles or pixels. */
const WINO_WG = 8;
const head = `@compute @workgroup_size(${WINO_WG}, ${WINO_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u)`;
const coords = (limit: string, what: string) => `let c = gid.x; let ${what} = gid.y + gid.z * (nwg.y * ${WINO_WG}u);
  if (c >= p.c || ${what} >= ${limit}) { return; }`;

/** Grid for `channels` x `items` threads (items folded over y and z under the 65535 limit). */
export function winogradGrid(channels: number, items: number): [number, number, number] {
  const gx = Math.ceil(channels / WINO_WG);
  const gyz = Math.max(1, Math.ceil(items / WINO_WG));
  if (gyz <= 65535) return [gx, gyz, 1];
  const gz = Math.ceil(gyz / 65535);
  return [gx, Math.ceil(gyz / gz), gz];
}

/** Shared uniform layout of the tile kernels: channels, image size, tile grid. */
const TILE_UNIFORMS = { c: 'u32', h: 'u32', w: 'u32', tw: 'u32', t: 'u32' } as const;
const tileOrigin = `let ty = t / p.tw; let tx = t - ty * p.tw;`;
const range = (n: number) => [...Array(n).keys()];
/** Element (i, j) of an a x a block as a WGSL name, and the flat product index xi = i*a + j. */
const cells = (a: number) => range(a * a).map((xi) => ({ xi, i: Math.floor(xi / a), j: xi % a }));

/** V [a^2, T, C] from x [H*W, C]. */
export function winogradInputKernel(m: WinogradTile = 2) {
  const a = m + 2;
  return defineKernel({
    key: `wino.input.f${m}`,
    bindings: binds('src:read', 'dst:read_write', 'p:uniform'),
    uniforms: TILE_UNIFORMS,
    workgroup: [WINO_WG, WINO_WG],
    source: (decls) => `${decls}
fn ld(y: i32, x: i32, c: u32) -> f32 {
  if (y < 0 || y >= i32(p.h) || x < 0 || x >= i32(p.w)) { return 0.0; }
  return src[(u32(y) * p.w + u32(x)) * p.c + c];
}
${head} {
  ${coords('p.t', 't')}
  ${tileOrigin}
  let y0 = i32(${m}u * ty) - 1; let x0 = i32(${m}u * tx) - 1;
  ${cells(a).map(({ i, j }) => `let d${i}_${j} = ld(y0 + ${i}, x0 + ${j}, c);`).join('\n  ')}
  ${transform2d(MATRICES[m].BT, (r, q) => `d${r}_${q}`, 'i')}
  ${cells(a).map(({ xi, i, j }) => `dst[(${xi}u * p.t + t) * p.c + c] = o${i}_${j};`).join('\n  ')}
}`,
  });
}

/** The adjoint of the input transform per tile: out [a^2, T, C] = B dV B^T (patch-shaped gradients). */
export function winogradInputTransposeKernel(m: WinogradTile = 2) {
  const a = m + 2;
  return defineKernel({
    key: `wino.input_t.f${m}`,
    bindings: binds('src:read', 'dst:read_write', 'p:uniform'),
    uniforms: TILE_UNIFORMS,
    workgroup: [WINO_WG, WINO_WG],
    source: (decls) => `${decls}
${head} {
  ${coords('p.t', 't')}
  ${cells(a).map(({ xi, i, j }) => `let v${i}_${j} = src[(${xi}u * p.t + t) * p.c + c];`).join('\n  ')}
  ${transform2d(transpose(MATRICES[m].BT), (r, q) => `v${r}_${q}`, 'i')}
  ${cells(a).map(({ xi, i, j }) => `dst[(${xi}u * p.t + t) * p.c + c] = o${i}_${j};`).join('\n  ')}
}`,
  });
}

/**
 * dX [H*W, C] from the patch gradients [a^2, T, C]: pixel (y, x) sits at padded row r = y + 1,
 * which the patches of tiles ty = r/m and r/m - 1 cover where r - m*ty < a (rows 0..a-1 of a
 * patch), likewise in x. Added in a fixed order: deterministic.
 */
export function winogradGatherKernel(m: WinogradTile = 2) {
  const a = m + 2;
  const th = `((p.h + ${m - 1}u) / ${m}u)`;
  const body: string[] = [];
  for (const dy of [1, 0])
    for (const dx of [1, 0])
      body.push(`{ let ty = i32(ry / ${m}u) - ${dy}; let tx = i32(rx / ${m}u) - ${dx};
    if (ty >= 0 && ty < i32(${th}) && tx >= 0 && tx < i32(p.tw)) {
      let i = ry - ${m}u * u32(ty); let j = rx - ${m}u * u32(tx);
      if (i < ${a}u && j < ${a}u) { s += src[((i * ${a}u + j) * p.t + u32(ty) * p.tw + u32(tx)) * p.c + c]; }
    } }`);
  return defineKernel({
    key: `wino.gather.f${m}`,
    bindings: binds('src:read', 'dst:read_write', 'p:uniform'),
    uniforms: TILE_UNIFORMS,
    workgroup: [WINO_WG, WINO_WG],
    source: (decls) => `${decls}
${head} {
  ${coords('p.h * p.w', 'px')}
  let y = px / p.w; let ry = y + 1u; let rx = px - y * p.w + 1u;
  var s = 0.0;
  ${body.join('\n  ')}
  dst[px * p.c + c] = s;
}`,
  });
}

/** y [H*W, C] (+ bias) from M [a^2, T, C]: m x m outputs per tile, those inside the image stored. */
export function winogradOutputKernel(bias: boolean, m: WinogradTile = 2) {
  const a = m + 2;
  const stores = cells(m).map(
    ({ i, j }) => `if (y0 + ${i}u < p.h && x0 + ${j}u < p.w) { dst[((y0 + ${i}u) * p.w + x0 + ${j}u) * p.c + c] = o${i}_${j}${bias ? ' + bv' : ''}; }`,
  );
  return defineKernel({
    key: `wino.output.f${m}${bias ? '.bias' : ''}`,
    bindings: binds('src:read', ...(bias ? ['bias:read'] : []), 'dst:read_write', 'p:uniform'),
    uniforms: TILE_UNIFORMS,
    workgroup: [WINO_WG, WINO_WG],
    source: (decls) => `${decls}
${head} {
  ${coords('p.t', 't')}
  ${tileOrigin}
  let y0 = ${m}u * ty; let x0 = ${m}u * tx;
  ${cells(a).map(({ xi, i, j }) => `let m${i}_${j} = src[(${xi}u * p.t + t) * p.c + c];`).join('\n  ')}
  ${transform2d(MATRICES[m].AT, (r, q) => `m${r}_${q}`, 'i')}
  ${bias ? 'let bv = bias[c];' : ''}
  ${stores.join('\n  ')}
}`,
  });
}

/** dM [a^2, T, C] = A dY_tile A^T, the adjoint of the output transform (outside the image dY = 0). */
export function winogradOutputTransposeKernel(m: WinogradTile = 2) {
  const a = m + 2;
  const loads = cells(m).map(
    ({ i, j }) => `var g${i}_${j} = 0.0; if (y0 + ${i}u < p.h && x0 + ${j}u < p.w) { g${i}_${j} = src[((y0 + ${i}u) * p.w + x0 + ${j}u) * p.c + c]; }`,
  );
  return defineKernel({
    key: `wino.output_t.f${m}`,
    bindings: binds('src:read', 'dst:read_write', 'p:uniform'),
    uniforms: TILE_UNIFORMS,
    workgroup: [WINO_WG, WINO_WG],
    source: (decls) => `${decls}
${head} {
  ${coords('p.t', 't')}
  ${tileOrigin}
  let y0 = ${m}u * ty; let x0 = ${m}u * tx;
  ${loads.join('\n  ')}
  ${transform2d(transpose(MATRICES[m].AT), (r, q) => `g${r}_${q}`, 'i')}
  ${cells(a).map(({ xi, i, j }) => `dst[(${xi}u * p.t + t) * p.c + c] = o${i}_${j};`).join('\n  ')}
}`,
  });
}

/** Uniforms of the weight kernels: c = Cout (threads' x), cin (threads' y). */
const WEIGHT_UNIFORMS = { c: 'u32', cin: 'u32' } as const;

/**
 * U [a^2, Cin, Cout] = G g G^T from the weight [9*Cin, Cout], and its per-xi transpose
 * Ut [a^2, Cout, Cin], which makes dV = dM Ut a plain product (faster than dM U^T on CPU adapters).
 */
export function winogradWeightKernel(m: WinogradTile = 2) {
  const a = m + 2;
  return defineKernel({
    key: `wino.weight.f${m}`,
    bindings: binds('src:read', 'dst:read_write', 'dstT:read_write', 'p:uniform'),
    uniforms: WEIGHT_UNIFORMS,
    workgroup: [WINO_WG, WINO_WG],
    source: (decls) => `${decls}
${head} {
  ${coords('p.cin', 'ci')}
  ${cells(3).map(({ xi, i, j }) => `let g${i}_${j} = src[(${xi}u * p.cin + ci) * p.c + c];`).join('\n  ')}
  ${transform2d(MATRICES[m].G, (r, q) => `g${r}_${q}`, 'i')}
  ${cells(a).map(({ xi, i, j }) => `dst[(${xi}u * p.cin + ci) * p.c + c] = o${i}_${j}; dstT[(${xi}u * p.c + c) * p.cin + ci] = o${i}_${j};`).join('\n  ')}
}`,
  });
}

/** dW [9*Cin, Cout] = G^T dU G from dU [a^2, Cin, Cout]. */
export function winogradWeightTransposeKernel(m: WinogradTile = 2) {
  const a = m + 2;
  return defineKernel({
    key: `wino.weight_t.f${m}`,
    bindings: binds('src:read', 'dst:read_write', 'p:uniform'),
    uniforms: WEIGHT_UNIFORMS,
    workgroup: [WINO_WG, WINO_WG],
    source: (decls) => `${decls}
${head} {
  ${coords('p.cin', 'ci')}
  ${cells(a).map(({ xi, i, j }) => `let u${i}_${j} = src[(${xi}u * p.cin + ci) * p.c + c];`).join('\n  ')}
  ${transform2d(transpose(MATRICES[m].G), (r, q) => `u${r}_${q}`, 'i')}
  ${cells(3).map(({ xi, i, j }) => `dst[(${xi}u * p.cin + ci) * p.c + c] = o${i}_${j};`).join('\n  ')}
}`,
  });
}

export const winogradKernels = (): KernelSpec[] =>
  ([2, 4] as const).flatMap((m) => [
    winogradInputKernel(m),
    winogradInputTransposeKernel(m),
    winogradGatherKernel(m),
    winogradOutputKernel(false, m),
    winogradOutputKernel(true, m),
    winogradOutputTransposeKernel(m),
    winogradWeightKernel(m),
    winogradWeightTransposeKernel(m),
  ]);
