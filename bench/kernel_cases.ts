// The kernel rows of the benchmark suite (bench/suite.ts). Each case allocates its inputs once
// and returns a function that records one run (its outputs are released by the suite's scope).
// Work counts, so the figures mean the same on every adapter:
//  - conv 3x3 rows count direct-convolution FLOPs, 2 x 9 x Cin x Cout x H x W, for both
//    algorithms (Winograd does 16/36 of the multiplies, so it shows as a higher GFLOP/s);
//  - GEMM-shaped rows (conv 1x1, matmul, Gram) count 2 x M x N x K;
//  - memory-bound rows (BatchNorm, SLIC, InfoNCE) count the bytes their kernels must move at
//    least (inputs read once, outputs written once), as GB/s.
import {
  backwardWith,
  batchNorm,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dRaw,
  cosineGram,
  infoNCE,
  linear,
  matmulRaw,
  patchLossOfRows,
  slicAssign,
  slicGrid,
  slicInitCentres,
  slicUpdate,
  type Runtime,
} from '../engine/index.ts';
import { winogradConvForward, winogradInputGrad, winogradOutputGrad, winogradWeightGrad } from '../engine/ops/winograd.ts';

export interface KernelCase {
  name: string;
  /** What one run computes, for the table's GFLOP/s (flops) or GB/s (bytes). */
  flops?: number;
  bytes?: number;
  /** Records one run; called inside a scope that frees what it makes. */
  make: (rt: Runtime) => () => void;
}

function data(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * scale;
  }
  return out;
}

const keep = (rt: Runtime, n: number, shape: number[], seed: number, scale = 1) => rt.keep(rt.fromData(data(n, seed, scale), shape));

function convCases(side: number, c: number, width = side): KernelCase[] {
  const p = side * width, dims = { height: side, width };
  const flops = 2 * 9 * c * c * p;
  const inputs = (rt: Runtime) => ({ x: keep(rt, p * c, [p, c], 1), w: keep(rt, 9 * c * c, [9 * c, c], 2, 0.05), b: keep(rt, c, [c], 3), g: keep(rt, p * c, [p, c], 4) });
  const tag = `${side}x${width} ${c}->${c}`;
  return [
    { name: `conv 3x3 fwd ${tag} gemm`, flops, make: (rt) => { const { x, w, b } = inputs(rt); return () => void conv2dRaw(x, w, b, dims); } },
    { name: `conv 3x3 dx ${tag} gemm`, flops, make: (rt) => { const { w, g } = inputs(rt); return () => void conv2dBackwardInput(g, w, dims); } },
    { name: `conv 3x3 dw ${tag} gemm`, flops, make: (rt) => { const { x, g } = inputs(rt); return () => void conv2dBackwardWeight(x, g, dims); } },
    {
      name: `conv 3x3 fwd ${tag} winograd`,
      flops,
      make: (rt) => {
        const { x, w, b } = inputs(rt);
        return () => void winogradConvForward(x, w, b, dims);
      },
    },
    {
      // dX and dW share dM = A dY A^T, computed once per backward; each row includes it.
      name: `conv 3x3 dx ${tag} winograd`,
      flops,
      make: (rt) => {
        const { w, g } = inputs(rt);
        const { ut } = rt.scope(() => { const r = winogradConvForward(keep(rt, p * c, [p, c], 5), w, null, dims); return { ut: rt.keep(r.ut) }; });
        return () => void winogradInputGrad(winogradOutputGrad(g, dims), ut, dims);
      },
    },
    {
      name: `conv 3x3 dw ${tag} winograd`,
      flops,
      make: (rt) => {
        const { x, w, g } = inputs(rt);
        const { v } = rt.scope(() => { const r = winogradConvForward(x, w, null, dims); return { v: rt.keep(r.v) }; });
        return () => void winogradWeightGrad(v, winogradOutputGrad(g, dims), dims);
      },
    },
  ];
}

export function kernelCases(): KernelCase[] {
  // 70 x 210 holds the pixels of three 70 x 70 images: what batching three restarts through one
  // dispatch would give each GEMM (an upper bound: with their own weights the products would be
  // three batched GEMMs of the 70 x 70 shape). Per pixel against the 70 x 70 row, it says what
  // batching could save on this adapter.
  const cases: KernelCase[] = [...convCases(70, 100), ...convCases(70, 100, 210), ...convCases(256, 100)];
  {
    const p = 4900, c = 100;
    cases.push({
      name: 'conv 1x1 70x70 100->100 fwd+bwd',
      flops: 3 * 2 * p * c * c,
      make: (rt) => {
        const x = keep(rt, p * c, [p, c], 6), w = keep(rt, c * c, [c, c], 7, 0.1), b = keep(rt, c, [c], 8), g = keep(rt, p * c, [p, c], 9);
        for (const t of [x, w, b]) t.requiresGrad = true;
        return () => {
          backwardWith(linear(x, w, b), g);
          for (const t of [x, w, b]) { t.grad?.dispose(); t.grad = null; }
        };
      },
    });
  }
  cases.push({
    name: 'matmul 1024x1024x1024',
    flops: 2 * 1024 ** 3,
    make: (rt) => {
      const a = keep(rt, 1024 * 1024, [1024, 1024], 10), b = keep(rt, 1024 * 1024, [1024, 1024], 11);
      return () => void matmulRaw(a, b);
    },
  });
  for (const n of [1225, 16384])
    cases.push({
      // The cosine Gram of n responses of q = 100 (the patch loss of a 70x70 / 256x256 image),
      // forward: normalise + S = U U^T; GEMM FLOPs only.
      name: `patch-loss gram ${n}x100`,
      flops: 2 * n * n * 100,
      make: (rt) => {
        const v = keep(rt, n * 100, [n, 100], 12);
        return () => void cosineGram(v);
      },
    });
  cases.push({
    name: 'patch-loss fwd+bwd 1225x100',
    flops: 3 * 2 * 1225 * 1225 * 100,
    make: (rt) => {
      const v = keep(rt, 1225 * 100, [1225, 100], 13);
      v.requiresGrad = true;
      const one = keep(rt, 1, [1], 14);
      return () => {
        backwardWith(patchLossOfRows(v, 0.55), one);
        v.grad?.dispose();
        v.grad = null;
      };
    },
  });
  {
    const p = 4900, c = 100;
    cases.push({
      name: 'batchnorm fwd+bwd 4900x100 (train)',
      // Forward reads x twice (statistics, normalise) and writes y; backward reads x, g twice, writes dx.
      bytes: 4 * p * c * 7,
      make: (rt) => {
        const x = keep(rt, p * c, [p, c], 15), g = keep(rt, p * c, [p, c], 16);
        const gamma = keep(rt, c, [c], 17), beta = keep(rt, c, [c], 18);
        for (const t of [x, gamma, beta]) t.requiresGrad = true;
        return () => {
          backwardWith(batchNorm(x, gamma, beta, null, { training: true }), g);
          for (const t of [x, gamma, beta]) { t.grad?.dispose(); t.grad = null; }
        };
      },
    });
  }
  {
    const side = 256, c = 3, grid = slicGrid(side, side, 500);
    cases.push({
      name: 'slic iteration 256x256x3 (500 segments)',
      // Assignment reads each pixel's colour and position; update reads them again with labels.
      bytes: 4 * side * side * (2 * (c + 2) + 2),
      make: (rt) => {
        const image = keep(rt, side * side * c, [side * side, c], 19);
        const centres = rt.keep(slicInitCentres(rt, image, grid));
        const labels = rt.keep(rt.empty([side * side], 'i32'));
        return () => {
          slicAssign(rt, image, centres, grid, 0.01, labels);
          slicUpdate(rt, image, labels, centres, grid);
        };
      },
    });
  }
  cases.push({
    name: 'infonce fwd+bwd 1225x100',
    flops: 3 * 2 * 1225 * 1225 * 100,
    make: (rt) => {
      const a = keep(rt, 1225 * 100, [1225, 100], 20), b = keep(rt, 1225 * 100, [1225, 100], 21);
      a.requiresGrad = b.requiresGrad = true;
      const one = keep(rt, 1, [1], 22);
      return () => {
        backwardWith(infoNCE(a, b, 0.5), one);
        for (const t of [a, b]) { t.grad?.dispose(); t.grad = null; }
      };
    },
  });
  return cases;
}

