// Which GEMM kernels a runtime runs, in one place: the adapter test (software rasterisers run a
// workgroup's invocations as SIMD lanes on the CPU, which favours other kernels and tiles than a
// GPU does) and the one tile policy of the tiled GEMMs (kernels/matmul.ts's generator: matmul,
// the convolutions, the Gram and the patch loss). Every op takes an explicit tile per call
// (tests and benchmarks force one that way) and otherwise gets gemmPlan's.
import { CPU_SMALL_TILE, CPU_TILE, GPU_TILE, type GemmTile } from '../../kernels/matmul.ts';
import type { Runtime } from '../runtime.ts';

const cpuAdapters = new WeakMap<Runtime, boolean>();

/** Software adapters (lavapipe, SwiftShader) report themselves in the adapter info; read once per runtime. */
export function isCpuAdapter(rt: Runtime): boolean {
  let cpu = cpuAdapters.get(rt);
  if (cpu === undefined) {
    const r = rt.ctx.report;
    cpu = /llvmpipe|lavapipe|swiftshader|software/i.test(`${r.vendor} ${r.architecture} ${r.description}`);
    cpuAdapters.set(rt, cpu);
  }
  return cpu;
}

/**
 * On CPU adapters, implicit-GEMM convolutions (the reference path, and the fallback where
 * Winograd's buffers do not fit) from this many flops on run tiled with CPU_TILE, 1.4-2x
 * faster there than the direct kernels; its one-time compile (~10 s per kernel on lavapipe,
 * then served from Mesa's on-disk shader cache) pays off within a few dozen training steps.
 * Smaller ones take the direct kernels (kernels/direct.ts), which compile in about a second.
 */
const BIG_GEMM_FLOPS = 2 ** 28;

/** CPU_TILE narrowed to the output when one tile row / column covers it (N = 100: 112, not 128). */
function fitTile(t: GemmTile, m: number, n: number): GemmTile {
  const fit = (size: number, b: number, r: number) => (size < b ? r * Math.ceil(size / r) : b);
  return { ...t, bm: fit(m, t.bm, t.rm), bn: fit(n, t.bn, t.rn) };
}

/**
 * How a GEMM without an explicit tile runs: 'direct' (CPU adapters, small products, see
 * BIG_GEMM_FLOPS) or the tiled kernels with this tile. `directOk` is false where no direct
 * kernel exists (A^T B^T, families other than plain matmul and the three convs).
 */
export function gemmPlan(rt: Runtime, m: number, n: number, k: number, tile?: GemmTile, directOk = true): GemmTile | 'direct' {
  if (tile) return tile;
  if (!isCpuAdapter(rt)) return GPU_TILE;
  if (2 * m * n * k >= BIG_GEMM_FLOPS) return fitTile(CPU_TILE, m, n);
  return directOk ? 'direct' : CPU_SMALL_TILE;
}

/** The tile of a GEMM that has no direct kernel: gemmPlan's choice with directOk = false. */
export function gemmTile(rt: Runtime, m: number, n: number, k: number, tile?: GemmTile): GemmTile {
  const plan = gemmPlan(rt, m, n, k, tile, false);
  return plan === 'direct' ? CPU_SMALL_TILE : plan;
}

/**
 * Whether MSInet's patch loss takes the lane GEMM (kernels/lane_gemm.ts) for its Gram: on CPU
 * adapters, unless the call forces a tile for the tiled Gram (tests, benchmarks).
 */
export function usesLaneGram(rt: Runtime, tile?: GemmTile): boolean {
  return !tile && isCpuAdapter(rt);
}
