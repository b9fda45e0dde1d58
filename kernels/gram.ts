// Cosine-similarity Gram matrices: the GEMM operand forms of the Gram and its backward, as
// families of the one tiled GEMM generator (kernels/matmul.ts), the row L2 normalisation
// (forward and backward) and the stride-2 row gather of MSInet's patch loss.
//
// A Gram GEMM computes C[M, N] = opA [M, K] x opB [K, N] where
//   opA: 'n' A stored [M, K] | 't' A stored [K, M] | 'sym' A + A^T (A square [M, M])
//        | 'patch' w(A) with w the patch loss's derivative (below), C scaled by 2 g
//   opB: 'n' B stored [K, N] | 't' B stored [N, K]
// 'n' and 't' are plain matmul families. S = U U^T takes the core's symmetric store (only
// the tiles on and above the diagonal run; S comes out exactly symmetric).
import { CPU_SMALL_TILE, CPU_TILE, GPU_TILE, gemmKernel, matmulFamily, type GemmFamily } from './matmul.ts';
import { binds, defineKernel, type KernelSpec } from './spec.ts';

/**
 * 'patch' is the backward of patchLoss(U U^T) fused into one GEMM: with S = A symmetric,
 * dU = (dS + dS^T) U = 2 g w(S) U where w(s) = -1/#pos for s > t, 1/#neg for 0 < s < t, 0
 * otherwise, read from `coef` = (1/#pos, 1/#neg) and the upstream scalar `g` on the GPU.
 * dS is never materialised and each S entry is read once (not twice as for 'sym').
 */
export type OpA = 'n' | 't' | 'sym' | 'patch';
export type OpB = 'n' | 't';

/** B's index for opB: stored [K, N] or [N, K]. */
const bIndex = (opB: OpB) => (opB === 'n' ? 'k * p.n + n' : 'n * p.k + k');

/** A + A^T for a square A (K = M): the backward (G + G^T) U of S = U U^T, G read once per load pair. */
function symFamily(opB: OpB): GemmFamily {
  return {
    name: `gramSym${opB.toUpperCase()}`,
    loaders: `fn loadA(m: u32, k: u32) -> f32 { return a[m * p.k + k] + a[k * p.m + m]; }
fn loadB(k: u32, n: u32) -> f32 { return b[${bIndex(opB)}]; }`,
    aKFast: true,
    bKFast: opB === 't',
  };
}

/**
 * w(S) times B, scaled by 2 g in the epilogue (see OpA). Extra inputs: the bindings `coef`
 * (1/#pos, 1/#neg) and `g` (the upstream gradient, [1]) and the uniform `t` (the threshold).
 */
function patchFamily(opB: OpB): GemmFamily {
  return {
    name: `gramPatch${opB.toUpperCase()}`,
    loaders: `fn patchWeight(s: f32) -> f32 { return select(select(0.0, coef[1], s > 0.0 && s < p.t), -coef[0], s > p.t); }
fn loadA(m: u32, k: u32) -> f32 { return patchWeight(a[m * p.k + k]); }
fn loadB(k: u32, n: u32) -> f32 { return b[${bIndex(opB)}]; }`,
    extraFields: ['t:f32'],
    extraBindings: ['coef', 'g'],
    epilogue: { setup: 'let alpha = 2.0 * g[0];', value: (v) => `alpha * ${v}` },
    aKFast: true,
    bKFast: opB === 't',
  };
}

/** The GEMM family of a Gram operand form. */
export function gramFamily(opA: OpA, opB: OpB): GemmFamily {
  if (opA === 'sym') return symFamily(opB);
  if (opA === 'patch') return patchFamily(opB);
  return matmulFamily(opA === 't', opB === 't');
}

/** Whether a Gram form can fill its tiles with vec4 loads (only the plain matmul forms have them). */
export function gramFill4(opA: OpA, opB: OpB, m: number, n: number, k: number): boolean {
  if (opA === 'sym' || opA === 'patch') return false;
  return (opA === 't' ? m : k) % 4 === 0 && (opB === 't' ? k : n) % 4 === 0;
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
  // The forms engine/ops/gram.ts and patch_loss.ts run, with the tiles of gemmPlan.
  const forms = [['n', 't', true], ['n', 't', false], ['n', 'n', false], ['t', 'n', false], ['sym', 'n', false], ['patch', 'n', false]] as const;
  const gemms = [GPU_TILE, CPU_TILE, CPU_SMALL_TILE].flatMap((tile) => forms.map(([a, b, symmetric]) => gemmKernel(gramFamily(a, b), { tile, symmetric })));
  return [...gemms, normalizeRowsKernel(), normalizeRowsBackwardKernel(), stridedRowsKernel(false), stridedRowsKernel(true)];
};
