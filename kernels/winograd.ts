// Winograd F(2x2, 3x3) convolution (Lavin & Gray, 2016) for 3x3, stride 1, zero padding 1,
// channels-last maps: each 2x2 block of outputs comes from a 4x4 input patch with 16
// multiplies per (input, output) channel pair instead of 36, so the 3x3 convolution's GEMM
// work falls 2.25x. The layouts match kernels/conv2d.ts (x [P, C], weight [9*Cin, Cout], row
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
import { binds, bindingsWgsl, defineKernel, type KernelSpec } from './spec.ts';

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
const transpose = (m: number[][]) => m[0]!.map((_, j) => m.map((row) => row[j]!));

/** Exported for the CPU reference in the tests, which applies the same matrices. */
export const WINOGRAD_MATRICES = { BT, G, AT };

function term(coef: number, v: string): string {
  if (coef === 1) return `+ ${v}`;
  if (coef === -1) return `- ${v}`;
  return `${coef < 0 ? '-' : '+'} ${Math.abs(coef)} * ${v}`;
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
export const WINO_WG = 8;
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
const TILE_P = `struct P { c: u32, h: u32, w: u32, tw: u32, t: u32 }`;
const tileOrigin = `let ty = t / p.tw; let tx = t - ty * p.tw;`;

/** V [16, T, C] from x [H*W, C]. */
export function winogradInputKernel(): KernelSpec {
  const b = binds('src:read', 'dst:read_write', 'p:uniform');
  return defineKernel(
    'wino.input',
    `${TILE_P}
${bindingsWgsl(b, { src: 'array<f32>', dst: 'array<f32>', p: 'P' })}
fn ld(y: i32, x: i32, c: u32) -> f32 {
  if (y < 0 || y >= i32(p.h) || x < 0 || x >= i32(p.w)) { return 0.0; }
  return src[(u32(y) * p.w + u32(x)) * p.c + c];
}
${head} {
  ${coords('p.t', 't')}
  ${tileOrigin}
  let y0 = i32(2u * ty) - 1; let x0 = i32(2u * tx) - 1;
  ${[0, 1, 2, 3].map((a) => [0, 1, 2, 3].map((bb) => `let d${a}_${bb} = ld(y0 + ${a}, x0 + ${bb}, c);`).join(' ')).join('\n  ')}
  ${transform2d(BT, (a, bb) => `d${a}_${bb}`, 'i')}
  ${[...Array(16).keys()].map((xi) => `dst[(${xi}u * p.t + t) * p.c + c] = o${xi >> 2}_${xi & 3};`).join('\n  ')}
}`,
    b,
  );
}

/** The adjoint of the input transform per tile: out [16, T, C] = B dV B^T (patch-shaped gradients). */
export function winogradInputTransposeKernel(): KernelSpec {
  const b = binds('src:read', 'dst:read_write', 'p:uniform');
  return defineKernel(
    'wino.input_t',
    `${TILE_P}
${bindingsWgsl(b, { src: 'array<f32>', dst: 'array<f32>', p: 'P' })}
${head} {
  ${coords('p.t', 't')}
  ${[...Array(16).keys()].map((xi) => `let v${xi >> 2}_${xi & 3} = src[(${xi}u * p.t + t) * p.c + c];`).join('\n  ')}
  ${transform2d(transpose(BT), (a, bb) => `v${a}_${bb}`, 'i')}
  ${[...Array(16).keys()].map((xi) => `dst[(${xi}u * p.t + t) * p.c + c] = o${xi >> 2}_${xi & 3};`).join('\n  ')}
}`,
    b,
  );
}

/**
 * dX [H*W, C] from the patch gradients [16, T, C]: pixel (y, x) sits at padded row y + 1 of
 * the tiles ty = (y+1)/2 - 1 and (y+1)/2 (rows 2..3 and 0..1 of their patches), likewise in x.
 * Added in a fixed order: deterministic.
 */
export function winogradGatherKernel(): KernelSpec {
  const b = binds('src:read', 'dst:read_write', 'p:uniform');
  const th = `((p.h + 1u) / 2u)`;
  const body: string[] = [];
  for (const dy of [1, 0])
    for (const dx of [1, 0])
      body.push(`{ let ty = i32(ry / 2u) - ${dy}; let tx = i32(rx / 2u) - ${dx};
    if (ty >= 0 && ty < i32(${th}) && tx >= 0 && tx < i32(p.tw)) {
      let xi = (ry - 2u * u32(ty)) * 4u + rx - 2u * u32(tx);
      s += src[(xi * p.t + u32(ty) * p.tw + u32(tx)) * p.c + c];
    } }`);
  return defineKernel(
    'wino.gather',
    `${TILE_P}
${bindingsWgsl(b, { src: 'array<f32>', dst: 'array<f32>', p: 'P' })}
${head} {
  ${coords('p.h * p.w', 'px')}
  let y = px / p.w; let ry = y + 1u; let rx = px - y * p.w + 1u;
  var s = 0.0;
  ${body.join('\n  ')}
  dst[px * p.c + c] = s;
}`,
    b,
  );
}

/** y [H*W, C] (+ bias) from M [16, T, C]: 2x2 outputs per tile, those inside the image stored. */
export function winogradOutputKernel(bias: boolean): KernelSpec {
  const b = binds('src:read', ...(bias ? ['bias:read'] : []), 'dst:read_write', 'p:uniform');
  const stores: string[] = [];
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 2; j++)
      stores.push(`if (y0 + ${i}u < p.h && x0 + ${j}u < p.w) { dst[((y0 + ${i}u) * p.w + x0 + ${j}u) * p.c + c] = o${i}_${j}${bias ? ' + bv' : ''}; }`);
  return defineKernel(
    `wino.output${bias ? '.bias' : ''}`,
    `${TILE_P}
${bindingsWgsl(b, { src: 'array<f32>', bias: 'array<f32>', dst: 'array<f32>', p: 'P' })}
${head} {
  ${coords('p.t', 't')}
  ${tileOrigin}
  let y0 = 2u * ty; let x0 = 2u * tx;
  ${[...Array(16).keys()].map((xi) => `let m${xi >> 2}_${xi & 3} = src[(${xi}u * p.t + t) * p.c + c];`).join('\n  ')}
  ${transform2d(AT, (a, bb) => `m${a}_${bb}`, 'i')}
  ${bias ? 'let bv = bias[c];' : ''}
  ${stores.join('\n  ')}
}`,
    b,
  );
}

/** dM [16, T, C] = A dY_tile A^T, the adjoint of the output transform (outside the image dY = 0). */
export function winogradOutputTransposeKernel(): KernelSpec {
  const b = binds('src:read', 'dst:read_write', 'p:uniform');
  const loads: string[] = [];
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 2; j++)
      loads.push(`var g${i}_${j} = 0.0; if (y0 + ${i}u < p.h && x0 + ${j}u < p.w) { g${i}_${j} = src[((y0 + ${i}u) * p.w + x0 + ${j}u) * p.c + c]; }`);
  return defineKernel(
    'wino.output_t',
    `${TILE_P}
${bindingsWgsl(b, { src: 'array<f32>', dst: 'array<f32>', p: 'P' })}
${head} {
  ${coords('p.t', 't')}
  ${tileOrigin}
  let y0 = 2u * ty; let x0 = 2u * tx;
  ${loads.join('\n  ')}
  ${transform2d(transpose(AT), (a, bb) => `g${a}_${bb}`, 'i')}
  ${[...Array(16).keys()].map((xi) => `dst[(${xi}u * p.t + t) * p.c + c] = o${xi >> 2}_${xi & 3};`).join('\n  ')}
}`,
    b,
  );
}

/** Uniforms of the weight kernels: c = Cout (threads' x), cin (threads' y). */
const WEIGHT_P = `struct P { c: u32, cin: u32 }`;

/**
 * U [16, Cin, Cout] = G g G^T from the weight [9*Cin, Cout], and its per-xi transpose
 * Ut [16, Cout, Cin], which makes dV = dM Ut a plain product (faster than dM U^T on CPU adapters).
 */
export function winogradWeightKernel(): KernelSpec {
  const b = binds('src:read', 'dst:read_write', 'dstT:read_write', 'p:uniform');
  return defineKernel(
    'wino.weight',
    `${WEIGHT_P}
${bindingsWgsl(b, { src: 'array<f32>', dst: 'array<f32>', dstT: 'array<f32>', p: 'P' })}
${head} {
  ${coords('p.cin', 'ci')}
  ${[0, 1, 2].map((a) => [0, 1, 2].map((bb) => `let g${a}_${bb} = src[(${a * 3 + bb}u * p.cin + ci) * p.c + c];`).join(' ')).join('\n  ')}
  ${transform2d(G, (a, bb) => `g${a}_${bb}`, 'i')}
  ${[...Array(16).keys()].map((xi) => `dst[(${xi}u * p.cin + ci) * p.c + c] = o${xi >> 2}_${xi & 3}; dstT[(${xi}u * p.c + c) * p.cin + ci] = o${xi >> 2}_${xi & 3};`).join('\n  ')}
}`,
    b,
  );
}

/** dW [9*Cin, Cout] = G^T dU G from dU [16, Cin, Cout]. */
export function winogradWeightTransposeKernel(): KernelSpec {
  const b = binds('src:read', 'dst:read_write', 'p:uniform');
  return defineKernel(
    'wino.weight_t',
    `${WEIGHT_P}
${bindingsWgsl(b, { src: 'array<f32>', dst: 'array<f32>', p: 'P' })}
${head} {
  ${coords('p.cin', 'ci')}
  ${[...Array(16).keys()].map((xi) => `let u${xi >> 2}_${xi & 3} = src[(${xi}u * p.cin + ci) * p.c + c];`).join('\n  ')}
  ${transform2d(transpose(G), (a, bb) => `u${a}_${bb}`, 'i')}
  ${[0, 1, 2].map((a) => [0, 1, 2].map((bb) => `dst[(${a * 3 + bb}u * p.cin + ci) * p.c + c] = o${a}_${bb};`).join(' ')).join('\n  ')}
}`,
    b,
  );
}

export const winogradKernels = (): KernelSpec[] => [
  winogradInputKernel(),
  winogradInputTransposeKernel(),
  winogradGatherKernel(),
  winogradOutputKernel(false),
  winogradOutputKernel(true),
  winogradOutputTransposeKernel(),
  winogradWeightKernel(),
  winogradWeightTransposeKernel(),
];
