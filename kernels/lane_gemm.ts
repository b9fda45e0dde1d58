// GEMM for CPU adapters shaped for how llvmpipe runs compute shaders: it packs 8 invocations
// into the lanes of one SIMD register, so a value per invocation is one lane. A load whose
// address differs per lane becomes a scalar loop over the lanes, while a load whose address is
// the same on every lane (workgroup-uniform) is one scalar load and a broadcast. So here the
// lanes of a workgroup own different rows of C and share the same block of columns: every B
// read is uniform, only A is read per lane, and each A value feeds `cols` FMAs. The block is
// small enough (rows x cols accumulators) to stay in registers, unlike the 16x16 blocks of the
// tiled core (kernels/matmul.ts), whose 256 per-lane accumulators live on the stack; and there
// is no workgroup memory and no barrier.
//
// C[z] = op(A[z]) op(B[z]) for z < batch (one matrix when batch = 1): nn A [M,K] B [K,N];
// nt B stored [N,K]; tn A stored [K,M]. Any sizes: reads past an edge are clamped to the last
// row / column (their results are never stored).
import { binds, defineKernel, type KernelSpec } from './spec.ts';

export type LaneVariant = 'nn' | 'nt' | 'tn';

export interface LaneShape {
  /** Rows of C per invocation. */
  rows: number;
  /** Columns of C per invocation (a multiple of 4). */
  cols: number;
  /** Invocations per workgroup (all share the columns). */
  wg: number;
}

/**
 * Per variant, measured on lavapipe for Winograd's 16 x [1225x100] . [100x100] products
 * (scratch runs at real-time priority, best of 3; GFLOP/s wall on 2 cores): nn 8x8 with vec4 B
 * 11-12 (the tiled 16x16 core: 6.5-7.5), nt 8x8 11 (8-9.5), tn 16x8 with vec4 B 14 (6.4-7).
 * Reading A as vec4 along k (k stepped by 4) was slower everywhere (5-6.5): a per-lane vec4
 * load costs more than 4 scalar ones there.
 */
export const LANE_SHAPES: Record<LaneVariant, LaneShape> = {
  nn: { rows: 8, cols: 8, wg: 32 },
  nt: { rows: 8, cols: 8, wg: 32 },
  tn: { rows: 16, cols: 8, wg: 64 },
};

export function laneKey(s: LaneShape): string {
  return `${s.rows}x${s.cols}.wg${s.wg}`;
}

/** B can be read as vec4 rows: not for nt (B stored [N, K]), and N % 4 = 0. */
export function laneB4(variant: LaneVariant, n: number): boolean {
  return variant !== 'nt' && n % 4 === 0;
}

export function laneGemmKernel(variant: LaneVariant, shape: LaneShape = LANE_SHAPES[variant], bias = false, b4 = false) {
  const { rows, cols, wg } = shape;
  if (b4 && variant === 'nt') throw new Error('lane GEMM: nt reads B per element');
  if (cols % 4 !== 0 || rows < 1 || wg < 1) throw new Error(`bad lane GEMM shape ${laneKey(shape)}`);
  return defineKernel({
    key: `lane_gemm.${variant}.${laneKey(shape)}${bias ? '.bias' : ''}${b4 ? '.b4' : ''}`,
    bindings: binds('a:read', 'b:read', ...(bias ? ['bias:read'] : []), 'c:read_write', 'p:uniform'),
    types: b4 ? { b: 'array<vec4f>' } : {},
    uniforms: { m: 'u32', n: 'u32', k: 'u32' },
    workgroup: wg,
    source: (decls) => laneGemmWgsl(variant, shape, bias, b4, decls),
  });
}

/** The WGSL of laneGemmKernel, built only when the runtime has no pipeline for its key yet. */
function laneGemmWgsl(variant: LaneVariant, { rows, cols, wg }: LaneShape, bias: boolean, b4: boolean, decls: string): string {
  const shape = { rows, cols, wg };
  const R = [...Array(rows).keys()], Q = [...Array(cols / 4).keys()], J = [...Array(cols).keys()];
  const aIdx = (r: number) => (variant === 'tn' ? `aOff + k * p.m + m${r}` : `aRow${r} + k`);
  const bIdx = (j: number, kk: string) => (variant === 'nt' ? `bCol${j} + ${kk}` : `bOff + ${kk} * p.n + col${j}`);
  const fmas = (av: (r: number) => string) => R.map((r) => Q.map((q) => `acc${r}_${q} = fma(${av(r)}, b${q}, acc${r}_${q});`).join(' ')).join('\n    ');
  const bLoads = (kk: string) =>
    Q.map((q) =>
      b4
        ? `let b${q} = b[(bOff + ${kk} * p.n) / 4u + min(n0 / 4u + ${q}u, p.n / 4u - 1u)];`
        : `let b${q} = vec4f(${[0, 1, 2, 3].map((t) => `b[${bIdx(4 * q + t, kk)}]`).join(', ')});`,
    ).join('\n    ');
  const loop = `for (var k = 0u; k < p.k; k++) {
    ${bLoads('k')}
    ${R.map((r) => `let a${r} = vec4f(a[${aIdx(r)}]);`).join(' ')}
    ${fmas((r) => `a${r}`)}
  }`;
  return `// lane GEMM ${variant}, ${laneKey(shape)}${bias ? ', bias' : ''}
${decls}
@compute @workgroup_size(${wg}) fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let z = wid.z;
  let aOff = z * p.m * p.k; let bOff = z * p.k * p.n; let cOff = z * p.m * p.n;
  let n0 = wid.y * ${cols}u;
  // Lane l owns rows l*ROWS .. l*ROWS + ROWS-1 of its workgroup's block (interleaving them,
  // row r*WG + l, measured slower: a small M then leaves most lanes on clamped rows).
  let mBase = (wid.x * ${wg}u + lid.x) * ${rows}u;
  if (mBase >= p.m) { return; }
  // Clamped rows and columns: in range for every read; only real ones are stored.
  ${R.map((r) => `let m${r} = min(mBase + ${r}u, p.m - 1u);`).join(' ')}
  ${J.map((j) => `let col${j} = min(n0 + ${j}u, p.n - 1u);`).join(' ')}
  ${variant === 'tn' ? '' : R.map((r) => `let aRow${r} = aOff + m${r} * p.k;`).join(' ')}
  ${variant === 'nt' ? J.map((j) => `let bCol${j} = bOff + col${j} * p.k;`).join(' ') : ''}
  ${R.map((r) => Q.map((q) => `var acc${r}_${q} = vec4f(0.0);`).join(' ')).join('\n  ')}
  ${loop}
  ${bias ? Q.map((q) => `let bias${q} = vec4f(${[0, 1, 2, 3].map((t) => `bias[col${4 * q + t}]`).join(', ')});`).join(' ') : ''}
  ${R.map((r) =>
    Q.map((q) =>
      [0, 1, 2, 3]
        .map((t) => `if (mBase + ${r}u < p.m && n0 + ${4 * q + t}u < p.n) { c[cOff + (mBase + ${r}u) * p.n + n0 + ${4 * q + t}u] = acc${r}_${q}[${t}]${bias ? ` + bias${q}[${t}]` : ''}; }`)
        .join('\n  '),
    ).join('\n  '),
  ).join('\n  ')}
}`;
}

/** Workgroups for C [batch, m, n]. */
export function laneGemmGrid(m: number, n: number, batch: number, shape: LaneShape): [number, number, number] {
  return [Math.max(1, Math.ceil(Math.ceil(m / shape.rows) / shape.wg)), Math.max(1, Math.ceil(n / shape.cols)), batch];
}

export const laneGemmKernels = (): KernelSpec[] =>
  (['nn', 'nt', 'tn'] as const).flatMap((v) => [
    laneGemmKernel(v, LANE_SHAPES[v]),
    laneGemmKernel(v, LANE_SHAPES[v], true),
    ...(v === 'nt' ? [] : [laneGemmKernel(v, LANE_SHAPES[v], false, true), laneGemmKernel(v, LANE_SHAPES[v], true, true)]),
  ]);
