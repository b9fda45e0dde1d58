import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backwardWith, conv2d, type Tensor } from '../../engine/index.ts';
import { batchedMatmulRaw } from '../../engine/ops/matmul.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, gradCheck, randn } from '../helpers.ts';
import { refForward, refInputGrad, refWeightGrad } from './conv_ref.ts';
import { batchedMatmulRef } from './matmul_ref.ts';

// Float error: F(2x2, 3x3)'s transforms add and subtract up to 4 inputs twice (B^T d B) and
// the weight transform halves, so each product term carries a few more roundings than in the
// direct sum: worst error against the f64 reference ~1e-6 of max|expected| on these sizes.
// F(4x4, 3x3) multiplies by up to 5 and 8 in its transforms (points +-2): ~1e-5 there. The
// tolerances are several times those and still ~100x below what a wrong tap, tile edge or
// channel gives (errors of the order of the terms themselves).
const TOL: Record<2 | 4, { rtol: number; absTol: number }> = { 2: { rtol: 1e-4, absTol: 3e-5 }, 4: { rtol: 1e-3, absTol: 1e-4 } };

/** Forward, dX, dW and db through conv2d's Winograd path, with dL/dy = g. */
async function winogradRun(x: Float32Array, wt: Float32Array, b: Float32Array, g: Float32Array, h: number, w: number, cin: number, cout: number, m: 2 | 4) {
  const rt = await testEngine();
  return rt.scopeAsync(async () => {
    const tx = rt.fromData(x, [h * w, cin]), tw = rt.fromData(wt, [9 * cin, cout]), tb = rt.fromData(b, [cout]);
    for (const t of [tx, tw, tb]) t.requiresGrad = true;
    const y = conv2d(tx, tw, tb, { height: h, width: w, algorithm: 'winograd', winograd: m });
    backwardWith(y, rt.fromData(g, [h * w, cout]));
    const grads = [tx.grad!, tw.grad!, tb.grad!] as Tensor[];
    const out = { y: await y.read(), dx: await grads[0]!.read(), dw: await grads[1]!.read(), db: await grads[2]!.read() };
    for (const t of grads) t.dispose();
    return out;
  });
}

// [height, width, cin, cout]: 1x1 and 1-row images (every patch mostly padding), odd sizes
// (the last tile row/column half outside), channels off multiples of 4 and of the workgroup,
// the MSInet layer, and a wide odd image.
const SHAPES: [number, number, number, number][] = [
  [1, 1, 3, 5],
  [1, 6, 9, 4],
  [3, 5, 3, 30],
  [7, 3, 30, 3],
  [4, 4, 8, 8],
  [5, 4, 257, 3],
  [70, 70, 100, 100],
  [257, 131, 8, 12],
];

for (const [h, w, cin, cout] of SHAPES)
  test(`Winograd conv2d F(2x2) and F(4x4): forward, dX, dW, db match the CPU on ${h}x${w}, ${cin} -> ${cout}`, async () => {
    const P = h * w;
    const std = 1 / Math.sqrt(9 * cin);
    const x = randn(P * cin, h * 31 + cin), wt = randn(9 * cin * cout, cout + 5, std), b = randn(cout, 3), g = randn(P * cout, w + 7);
    const want = { y: refForward(x, wt, b, h, w, cin, cout), dx: refInputGrad(g, wt, h, w, cin, cout), dw: refWeightGrad(x, g, h, w, cin, cout) };
    const db = new Float64Array(cout);
    for (let p = 0; p < P; p++) for (let c = 0; c < cout; c++) db[c]! += g[p * cout + c]!;
    for (const m of [2, 4] as const) {
      const r = await winogradRun(x, wt, b, g, h, w, cin, cout, m);
      assertClose(r.y, want.y, { ...TOL[m], what: `forward F${m}` });
      assertClose(r.dx, want.dx, { ...TOL[m], what: `dX F${m}` });
      assertClose(r.dw, want.dw, { ...TOL[m], what: `dW F${m}` });
      assertClose(r.db, db, { ...TOL[m], what: `db F${m}` });
    }
  });

test('Winograd conv2d is deterministic (same inputs, bit-identical outputs and gradients)', async () => {
  const [h, w, cin, cout] = [9, 11, 12, 16];
  const x = randn(h * w * cin, 1), wt = randn(9 * cin * cout, 2, 0.1), b = randn(cout, 3), g = randn(h * w * cout, 4);
  const a = await winogradRun(x, wt, b, g, h, w, cin, cout, 4);
  const c = await winogradRun(x, wt, b, g, h, w, cin, cout, 4);
  for (const k of ['y', 'dx', 'dw', 'db'] as const) assert.equal(Array.from(a[k]), Array.from(c[k]), k);
});

test('conv2d picks Winograd by default, the implicit GEMM when asked or given a tile', async () => {
  const { convAlgorithm } = await import('../../engine/ops/conv2d.ts');
  const dims = { height: 5, width: 5 };
  assert.is(convAlgorithm(dims), 'winograd');
  assert.is(convAlgorithm({ ...dims, algorithm: 'gemm' }), 'gemm');
  assert.is(convAlgorithm({ ...dims, tile: { bm: 16, bn: 16, bk: 4, rm: 4, rn: 4 } }), 'gemm');
  // 512 x 512 x 100: the transformed map (36 x 16384 x 100 floats, 225 MiB) is over a 128 MiB binding.
  assert.is(convAlgorithm({ height: 512, width: 512 }, 100, 100, 2 ** 27), 'gemm');
  assert.is(convAlgorithm({ height: 256, width: 256 }, 100, 100, 2 ** 27), 'winograd');
});

for (const m of [2, 4] as const)
test(`gradient of Winograd F(${m}x${m}) conv2d (x, W, b) on 5x3, 3 -> 4 by finite differences`, async () => {
  const rt = await testEngine();
  const [h, w, cin, cout] = [5, 3, 3, 4];
  await gradCheck(
    rt,
    [
      { data: randn(h * w * cin, 61), shape: [h * w, cin] },
      { data: randn(9 * cin * cout, 62), shape: [9 * cin, cout] },
      { data: randn(cout, 63), shape: [cout] },
    ],
    ([x, wt, b]) => conv2d(x!, wt!, b!, { height: h, width: w, algorithm: 'winograd', winograd: m }),
    { samples: 8 },
  );
});

for (const [batch, m, n, k] of [
  [1, 1, 1, 1],
  [3, 7, 5, 9],
  [16, 33, 12, 20],
  [5, 130, 131, 17],
] as const)
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
  ] as const)
    test(`batched matmul ${batch} x [${m}x${k}]${ta ? '^T' : ''} . [${k}x${n}]${tb ? '^T' : ''} matches the CPU`, async () => {
      const rt = await testEngine();
      const a = randn(batch * m * k, m + k), b = randn(batch * k * n, n + 1);
      const got = await rt.scopeAsync(() => batchedMatmulRaw(rt.fromData(a, [batch * m * k]), rt.fromData(b, [batch * k * n]), batch, m, n, k, ta, tb).read());
      assertClose(got, batchedMatmulRef(a, b, null, batch, m, n, k, ta ? 'tn' : tb ? 'nt' : 'nn'), { rtol: 1e-4, absTol: 1e-5, what: 'batched matmul' });
    });

test.run();
