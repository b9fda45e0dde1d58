import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { colSum, linear, matmul, matmulRaw, runGemm } from '../../engine/index.ts';
import { kernelLayout } from '../../engine/kernel_layout.ts';
import { CPU_TILE, GPU_TILE, matmulFamily, matmulKernel, sumPlanesKernel, type GemmTile } from '../../kernels/matmul.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, gradCheck, randn } from '../helpers.ts';

// Tolerances: each output is a K-long f32 dot product. Its rounding error grows with K and
// with the sum of |a_i b_i| (not with the result, which may cancel to ~0), so a purely relative
// test is wrong near zero. We allow rtol 1e-4 of the element plus 1e-5 x max|expected| (for
// K <= 1000 and randn data max|expected| ~ 4 sqrt(K), i.e. a budget of ~10 ulps of the typical
// partial sum per element): far below the O(1) relative errors of a wrong index or a missed
// tile, above f32 accumulation noise.
const TOL = { rtol: 1e-4, absTol: 1e-5 };

/** CPU reference in f64: op(A) op(B) (+ bias), A stored [M,K] or [K,M], B stored [K,N] or [N,K]. */
function refMatmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean, bias?: Float32Array): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = bias ? bias[j]! : 0;
      for (let q = 0; q < k; q++) s += a[transA ? q * m + i : i * k + q]! * b[transB ? j * k + q : q * n + j]!;
      out[i * n + j] = s;
    }
  return out;
}

/** A small tile so the tiled path compiles quickly in tests (lavapipe compile time grows with the register block). */
const SMALL: GemmTile = { bm: 16, bn: 16, bk: 4, rm: 4, rn: 4 };

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [70, 3, 100],
  [257, 100, 3],
  [100, 257, 70],
  [1, 257, 1],
];

test('every matmul kernel variant declares the bindings its WGSL has', () => {
  for (const ta of [false, true])
    for (const tb of [false, true])
      for (const bias of [false, true])
        for (const fill4 of [false, true]) for (const store4 of [false, true]) kernelLayout(matmulKernel(ta, tb, { bias, fill4, store4, tile: CPU_TILE }));
  kernelLayout(matmulKernel(false, false, { tile: GPU_TILE }));
  kernelLayout(sumPlanesKernel());
});

// Both paths: the ops' own choice (on a CPU adapter: direct kernels for these small products,
// tiled CPU_SMALL_TILE for A^T B^T) and the tiled kernels with an explicit tile (vec4 tile
// fills where the contiguous sizes are multiples of 4: 100, 100x... ; scalar fills elsewhere).
for (const [m, k, n] of SHAPES)
  test(`matmul (all transposes, bias) matches CPU, M=${m} K=${k} N=${n}`, async () => {
    const rt = await testEngine();
    const a = randn(m * k, m + 10 * k), b = randn(k * n, n + 7), bias = randn(n, 99);
    await rt.scopeAsync(async () => {
      const ta = rt.fromData(a, [m, k]), taT = rt.fromData(a, [k, m]); // same data, two readings
      const tb = rt.fromData(b, [k, n]), tbT = rt.fromData(b, [n, k]);
      for (const tile of [undefined, SMALL]) {
        const how = tile ? 'tiled' : 'default';
        for (const transA of [false, true])
          for (const transB of [false, true]) {
            const out = matmulRaw(transA ? taT : ta, transB ? tbT : tb, { transA, transB, tile });
            assert.equal(out.shape, [m, n]);
            assertClose(await out.read(), refMatmul(a, b, m, k, n, transA, transB), { ...TOL, what: `matmul ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} (${how})` });
          }
        const withBias = matmulRaw(ta, tb, { tile }, rt.fromData(bias, [n]));
        assertClose(await withBias.read(), refMatmul(a, b, m, k, n, false, false, bias), { ...TOL, what: `matmul + bias (${how})` });
      }
    });
  });

test('matmul 4900x900 by 900x100 (the im2col shape of a 70x70 100->100 conv) matches CPU', async () => {
  const rt = await testEngine();
  const [m, k, n] = [4900, 900, 100];
  const a = randn(m * k, 1), b = randn(k * n, 2), bias = randn(n, 3);
  await rt.scopeAsync(async () => {
    // Big enough for the ops to pick their big-product kernel (CPU_TILE on a CPU adapter).
    const out = matmulRaw(rt.fromData(a, [m, k]), rt.fromData(b, [k, n]), {}, rt.fromData(bias, [n]));
    assertClose(await out.read(), refMatmul(a, b, m, k, n, false, false, bias), { ...TOL, what: 'matmul 4900x900x100' });
  });
});

// Non-default tiles (uneven RM x RN, BK 12, tiles smaller than the output or larger) and
// forced K-splits must give the same products: planes are summed in a fixed order, bias added
// once. Sizes off multiples of 4 take the scalar tile fill, multiples of 4 the vec4 one.
// (GPU_TILE is exercised by test/kernels/conv2d.test.ts; each tile here costs a compile.)
const TILES: GemmTile[] = [{ bm: 32, bn: 16, bk: 12, rm: 8, rn: 4 }, { bm: 8, bn: 8, bk: 4, rm: 4, rn: 4 }];
for (const [m, k, n] of [[71, 301, 45], [73, 300, 44]])
  test(`other tiles and K-splits give the same product (bias added once), ${m}x${k} by ${k}x${n}^T`, async () => {
    const rt = await testEngine();
    const a = randn(m * k, 3), b = randn(k * n, 4), bias = randn(n, 5);
    const want = refMatmul(a, b, m, k, n, false, true, bias);
    await rt.scopeAsync(async () => {
      const ta = rt.fromData(a, [m, k]), tb = rt.fromData(b, [n, k]), tbias = rt.fromData(bias, [n]);
      const fill4 = k % 4 === 0;
      for (const tile of TILES)
        for (const split of [1, 3]) {
          const out = runGemm(rt, { family: matmulFamily(false, true), a: ta, b: tb, bias: tbias, m, n, k, tile, split, fill4 });
          assertClose(await out.read(), want, { ...TOL, what: `tile ${JSON.stringify(tile)} split ${split}` });
        }
    });
  });

test('split-K results are bit-identical run after run', async () => {
  const rt = await testEngine();
  const [m, k, n] = [33, 5000, 17];
  const a = randn(m * k, 6), b = randn(k * n, 7);
  await rt.scopeAsync(async () => {
    const ta = rt.fromData(a, [k, m]), tb = rt.fromData(b, [k, n]);
    const run = () => runGemm(rt, { family: matmulFamily(true, false), a: ta, b: tb, m, n, k, split: 5, tile: SMALL }).read();
    const first = await run(), second = await run();
    assert.equal(Array.from(first), Array.from(second));
    assertClose(first, refMatmul(a, b, m, k, n, true, false), { ...TOL, what: 'split-K A^T B' });
  });
});

for (const [rows, cols] of [[1, 1], [3, 5], [4900, 100], [257, 257], [1000, 3]] as const)
  test(`colSum matches CPU and is deterministic, ${rows}x${cols}`, async () => {
    const rt = await testEngine();
    const x = randn(rows * cols, rows + cols);
    const want = new Float64Array(cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) want[c]! += x[r * cols + c]!;
    await rt.scopeAsync(async () => {
      const t = rt.fromData(x, [rows, cols]);
      const s1 = await colSum(t).read(), s2 = await colSum(t).read();
      assert.equal(Array.from(s1), Array.from(s2));
      // A sum of `rows` terms of size ~1: error ~ sqrt(rows) ulps of the partial sums.
      assertClose(s1, want, { rtol: 1e-4, absTol: 1e-5, what: 'colSum' });
    });
  });

test('linear = x W + b matches CPU (1x1 conv of a 7x5 map, 30 -> 257; default and tiled)', async () => {
  const rt = await testEngine();
  const [p, cin, cout] = [35, 30, 257];
  const x = randn(p * cin, 1), w = randn(cin * cout, 2), b = randn(cout, 3);
  const want = refMatmul(x, w, p, cin, cout, false, false, b);
  await rt.scopeAsync(async () => {
    for (const tile of [undefined, SMALL]) {
      const y = linear(rt.fromData(x, [p, cin]), rt.fromData(w, [cin, cout]), rt.fromData(b, [cout]), tile);
      assertClose(await y.read(), want, { ...TOL, what: `linear (${tile ? 'tiled' : 'default'})` });
    }
  });
});

test('matmul rejects mismatched inner sizes', async () => {
  const rt = await testEngine();
  rt.scope(() => {
    assert.throws(() => matmulRaw(rt.empty([3, 4]), rt.empty([5, 2])), /inner sizes/);
  });
});

// Products are linear in each operand: central differences are exact up to f32 rounding of
// the loss, which gradCheck's defaults (rtol 2e-2, atol 2e-3 x max|grad|) leave room for.
for (const tile of [undefined, SMALL])
  for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const)
    test(`gradient of matmul ${transA ? 'A^T' : 'A'} ${transB ? 'B^T' : 'B'} (5x7 by 7x3, ${tile ? 'tiled' : 'default'})`, async () => {
      const rt = await testEngine();
      const [m, k, n] = [5, 7, 3];
      await gradCheck(
        rt,
        [
          { data: randn(m * k, 11), shape: transA ? [k, m] : [m, k] },
          { data: randn(k * n, 12), shape: transB ? [n, k] : [k, n] },
        ],
        ([a, b]) => matmul(a!, b!, { transA, transB, tile }),
      );
    });

for (const tile of [undefined, SMALL])
  test(`gradient of linear (x, W and b; 13 pixels, 3 -> 5 channels, ${tile ? 'tiled' : 'default'})`, async () => {
    const rt = await testEngine();
    const [p, cin, cout] = [13, 3, 5];
    await gradCheck(
      rt,
      [
        { data: randn(p * cin, 21), shape: [p, cin] },
        { data: randn(cin * cout, 22), shape: [cin, cout] },
        { data: randn(cout, 23), shape: [cout] },
      ],
      ([x, w, b]) => linear(x!, w!, b!, tile),
      { samples: 8 },
    );
  });

test('gradient of a matmul chain reaching the same leaf twice (A A^T)', async () => {
  const rt = await testEngine();
  await gradCheck(rt, [{ data: randn(4 * 6, 31), shape: [4, 6] }], ([a]) => matmul(a!, a!, { transB: true }));
});

test.run();
