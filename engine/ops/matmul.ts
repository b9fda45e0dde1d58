// Matrix products with their backward rules: matmul (with transposed variants), linear
// (x W + b, which is also a 1x1 convolution of a channels-last feature map) and the
// deterministic column sum that gives bias gradients.
import {
  batchedMatmulFamily,
  gemmGrid,
  gemmKernel,
  matmulFamily,
  matmulFill4,
  sumPlanesKernel,
  type GemmFamily,
  type GemmTile,
} from '../../kernels/matmul.ts';
import { gemmPlan, gemmTile, isCpuAdapter } from './gemm_policy.ts';
import { laneMatmul } from './lane_gemm.ts';
import { colSumRaw } from './reduce.ts';
import type { Tensor } from '../tensor.ts';

/**
 * How many K-splits a GEMM gets. Few output tiles over a long K leave most of a GPU idle
 * (dW of a conv: a handful of tiles, K = all pixels), so K is cut into chunks of at least
 * MIN_CHUNK until there are about TARGET_GROUPS workgroups; the planes are then summed in a
 * fixed order. 48 groups fill lavapipe's threads many times over and a GPU reasonably.
 */
const TARGET_GROUPS = 48;
const MIN_CHUNK = 512;

export function chooseSplit(m: number, n: number, k: number, tile: GemmTile): number {
  const tiles = Math.ceil(m / tile.bm) * Math.ceil(n / tile.bn);
  const wanted = Math.ceil(TARGET_GROUPS / tiles);
  return Math.max(1, Math.min(wanted, Math.floor(k / MIN_CHUNK)));
}

export interface GemmRun {
  family: GemmFamily;
  a: Tensor;
  b: Tensor;
  bias?: Tensor | null;
  m: number;
  n: number;
  k: number;
  /** The family's extra uniform fields (its extraFields), by name. */
  extra?: Readonly<Record<string, number>>;
  /** The family's extra storage bindings (its extraBindings), by name. */
  inputs?: Readonly<Record<string, Tensor>>;
  /** C = X X^T: only the tiles on and above the diagonal run (gemmKernel's `symmetric`); needs m = n and a square tile. */
  symmetric?: boolean;
  tile?: GemmTile;
  /** K-splits; default chooseSplit(). */
  split?: number;
  /** The sizes allow the family's vec4 loaders (see matmulFill4 / convFill4). */
  fill4?: boolean;
}

/** Dispatches one GEMM of any family into a new [m, n] tensor (no autograd). */
export function runGemm(rt: Tensor['rt'], r: GemmRun): Tensor {
  const tile = gemmTile(rt, r.m, r.n, r.k, r.tile);
  const symmetric = !!r.symmetric;
  if (symmetric && (r.m !== r.n || r.bias)) throw new Error('runGemm: a symmetric product is square and takes no bias');
  const out = rt.empty([r.m, r.n]);
  if (r.m === 0 || r.n === 0) return out;
  const bk = tile.bk;
  let split = Math.max(1, Math.floor(r.split ?? chooseSplit(r.m, r.n, r.k, tile)));
  const kChunk = Math.max(bk, Math.ceil(Math.ceil(r.k / split) / bk) * bk);
  split = Math.max(1, Math.ceil(r.k / kChunk));
  const spec = gemmKernel(r.family, { tile, bias: !!r.bias, fill4: !!r.fill4, store4: r.n % 4 === 0 && !symmetric, symmetric });
  const p = { m: r.m, n: r.n, k: r.k, kChunk, ...r.extra };
  const target = split === 1 ? out : rt.empty([split, r.m, r.n]);
  const bindings = { a: r.a, b: r.b, ...(r.bias ? { bias: r.bias } : {}), c: target, ...r.inputs, p };
  rt.dispatch(spec, bindings, gemmGrid(r.m, r.n, split, tile, symmetric));
  if (split > 1) {
    rt.dispatch(sumPlanesKernel(), { parts: target, out, p: { n: r.m * r.n, planes: split } }, r.m * r.n);
    target.dispose();
  }
  return out;
}

function dims2(op: string, t: Tensor): [number, number] {
  if (t.shape.length !== 2) throw new Error(`${op}: expected a matrix, got ${t}`);
  return [t.shape[0]!, t.shape[1]!];
}

export interface MatmulOptions {
  /** Use A^T: `a` is stored [K, M]. */
  transA?: boolean;
  /** Use B^T: `b` is stored [N, K]. */
  transB?: boolean;
  tile?: GemmTile;
}

/** op(a) op(b) without autograd; bias [N] (optional) is added to every row. */
export function matmulRaw(a: Tensor, b: Tensor, { transA = false, transB = false, tile }: MatmulOptions = {}, bias?: Tensor | null): Tensor {
  const [ar, ac] = dims2('matmul', a), [br, bc] = dims2('matmul', b);
  const [m, k] = transA ? [ac, ar] : [ar, ac];
  const [k2, n] = transB ? [bc, br] : [br, bc];
  if (k !== k2) throw new Error(`matmul: inner sizes differ (${a}${transA ? '^T' : ''} x ${b}${transB ? '^T' : ''})`);
  if (bias && bias.size !== n) throw new Error(`matmul: bias ${bias} does not match ${n} columns`);
  // CPU adapters: the lane GEMM (kernels/lane_gemm.ts) for every size; it has no A^T B^T.
  if (!tile && isCpuAdapter(a.rt) && !(transA && transB)) return laneMatmul(a, b, transA ? 'tn' : transB ? 'nt' : 'nn', 1, m, n, k, bias);
  const plan = gemmPlan(a.rt, m, n, k, tile, false);
  const fill4 = matmulFill4(m, n, k, transA, transB);
  return runGemm(a.rt, { family: matmulFamily(transA, transB), a, b, bias, m, n, k, tile: plan === 'direct' ? undefined : plan, fill4 });
}

/**
 * C = op(a) op(b), op = transpose where asked. Backward (G = dC):
 *   d op(A) = G op(B)^T, d op(B) = op(A)^T G, written back in each operand's stored layout.
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const { transA = false, transB = false, tile } = opts;
  const out = matmulRaw(a, b, opts);
  return a.rt.tape.record('matmul', [a, b], out, [
    (g) => (transA ? matmulRaw(b, g, { transA: transB, transB: true, tile }) : matmulRaw(g, b, { transB: !transB, tile })),
    (g) => (transB ? matmulRaw(g, a, { transA: true, transB: transA, tile }) : matmulRaw(a, g, { transA: !transA, tile })),
  ]);
}

/**
 * C[b] = op(A[b]) op(B[b]) for b < batch: a, b, out are stacks ([batch, ...] flattened).
 * A is [M, K] per batch ([K, M] when transA), B [K, N] ([N, K] when transB).
 */
export function batchedMatmulRaw(a: Tensor, b: Tensor, batch: number, m: number, n: number, k: number, transA = false, transB = false, tile?: GemmTile): Tensor {
  if (a.size !== batch * m * k || b.size !== batch * k * n)
    throw new Error(`batchedMatmul: ${a} / ${b} are not ${batch} x [${m}x${k}] / [${k}x${n}] stacks`);
  if (transA && transB) throw new Error('batchedMatmul: A^T B^T is not supported');
  const rt = a.rt;
  if (batch > rt.maxWorkgroups) throw new Error(`batchedMatmul: batch ${batch} over the ${rt.maxWorkgroups} limit`);
  // CPU adapters: the lane GEMM (1.2-2.2x the tiled core there); GPUs: workgroup-memory tiles.
  if (!tile && isCpuAdapter(rt)) return laneMatmul(a, b, transA ? 'tn' : transB ? 'nt' : 'nn', batch, m, n, k);
  const out = rt.empty([batch, m, n]);
  if (m === 0 || n === 0 || batch === 0) return out;
  const t = gemmTile(rt, m, n, k * batch, tile);
  const fill4 = matmulFill4(m, n, k, transA, transB);
  const spec = gemmKernel(batchedMatmulFamily(transA, transB), { tile: t, fill4, store4: n % 4 === 0, batched: true });
  const [gx, gy] = gemmGrid(m, n, 1, t);
  rt.dispatch(spec, { a, b, c: out, p: { m, n, k, kChunk: k } }, [gx, gy, batch]);
  return out;
}

/** Column sums of a [rows, cols] matrix: [cols]. Deterministic (a fixed tree, no atomics). */
export function colSum(x: Tensor): Tensor {
  const [rows, cols] = dims2('colSum', x);
  return colSumRaw(x, rows, cols);
}

/**
 * y = x W + b: x [P, Cin], w [Cin, Cout], bias [Cout] or null. Also the 1x1 convolution of a
 * channels-last map. Backward: dx = g W^T, dW = x^T g, db = column sums of g.
 */
export function linear(x: Tensor, w: Tensor, bias: Tensor | null = null, tile?: GemmTile): Tensor {
  const out = matmulRaw(x, w, { tile }, bias);
  const inputs = bias ? [x, w, bias] : [x, w];
  return x.rt.tape.record('linear', inputs, out, [(g) => matmulRaw(g, w, { transB: true, tile }), (g) => matmulRaw(x, g, { transA: true, tile }), (g) => colSum(g)]);
}
