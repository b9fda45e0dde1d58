// The lane GEMM (kernels/lane_gemm.ts, the CPU adapters' plain and batched products) against an
// f64 reference, on every variant, with and without vec4 B reads and bias, on sizes off the
// per-invocation block (rows x cols) and the workgroup: 1x1x1, odd, 257, and batches.
import { test } from 'uvu';
import { laneGemmGrid, laneGemmKernel, LANE_SHAPES } from '../../kernels/lane_gemm.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, randn } from '../helpers.ts';
import { batchedMatmulRef as ref } from './matmul_ref.ts';

// f32 sums of k products: rtol 1e-4 + 1e-5 x max|expected| (see conv2d.test.ts).
const tol = { rtol: 1e-4, absTol: 1e-5 };

for (const [batch, m, n, k] of [
  [1, 1, 1, 1],
  [1, 3, 5, 7],
  [1, 70, 100, 257],
  [1, 257, 3, 70],
  [2, 100, 257, 30],
  [16, 37, 12, 9],
] as const)
  for (const v of ['nn', 'nt', 'tn'] as const)
    test(`lane GEMM ${v}, ${batch} x [${m}x${k}] . [${k}x${n}] (scalar and vec4 B, bias)`, async () => {
      const rt = await testEngine();
      const a = randn(batch * m * k, m + 3), b = randn(batch * k * n, n + 5), bias = randn(n, 9);
      const want = ref(a, b, null, batch, m, n, k, v), wantBias = ref(a, b, bias, batch, m, n, k, v);
      await rt.scopeAsync(async () => {
        const ta = rt.fromData(a, [a.length]), tb = rt.fromData(b, [b.length]), tbias = rt.fromData(bias, [n]);
        for (const b4 of v === 'nt' || n % 4 !== 0 ? [false] : [false, true])
          for (const withBias of [false, true]) {
            const out = rt.empty([batch * m * n]);
            const spec = laneGemmKernel(v, LANE_SHAPES[v], withBias, b4);
            const u = { m, n, k };
            rt.dispatch(spec, withBias ? { a: ta, b: tb, bias: tbias, c: out, p: u } : { a: ta, b: tb, c: out, p: u }, laneGemmGrid(m, n, batch, LANE_SHAPES[v]));
            assertClose(await out.read(), withBias ? wantBias : want, { ...tol, what: `${v} b4=${b4} bias=${withBias}` });
          }
      });
    });

test.run();
