// Which GEMM kernels a runtime runs, in one place: the adapter test (software rasterisers run a
// workgroup's invocations as SIMD lanes on the CPU, which favours other kernels and tiles than a
// GPU does) and the tile policies of the matmul family (engine/ops/matmul.ts, conv2d) and of the
// Gram (engine/ops/gram.ts, the patch loss). Products take an explicit tile per call; the Gram
// takes a per-runtime override (setGramTile) because its callers are losses, not products.
import { GEMM_TILE_CPU, GEMM_TILE_GPU, type GemmTile as GramTile } from '../../kernels/gram.ts';
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

const gramOverrides = new WeakMap<Runtime, GramTile>();

/** CPU rasterisers (lavapipe / llvmpipe, SwiftShader) get the CPU tile; GPUs the staged one. */
export function gramTileFor(rt: Runtime): GramTile {
  return gramOverrides.get(rt) ?? (isCpuAdapter(rt) ? GEMM_TILE_CPU : GEMM_TILE_GPU);
}

/**
 * Whether MSInet's patch loss takes the lane GEMM (kernels/lane_gemm.ts) for its Gram: on CPU
 * adapters, unless a test or benchmark forced a Gram tile with setGramTile.
 */
export function usesLaneGram(rt: Runtime): boolean {
  return !gramOverrides.has(rt) && isCpuAdapter(rt);
}

/** Overrides the tile choice for one runtime (tests run the GPU tiles on lavapipe); null resets. */
export function setGramTile(rt: Runtime, tile: GramTile | null): void {
  if (tile) gramOverrides.set(rt, tile);
  else gramOverrides.delete(rt);
}
