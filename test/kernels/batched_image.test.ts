// Batched image kernels (im2col / col2im, 2x2 average pooling, global average pool) against
// plain-TypeScript references on odd sizes, and their gradients by finite differences.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { avgPool2, conv3x3Batched, globalAvgPool, im2col3x3 } from '../../engine/index.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, gradCheck, randn } from '../helpers.ts';

function cpuIm2col(x: Float32Array, b: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(b * h * w * 9 * c);
  for (let n = 0; n < b; n++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        for (let t = 0; t < 9; t++)
          for (let ch = 0; ch < c; ch++) {
            const sy = y + Math.floor(t / 3) - 1, sx = xx + (t % 3) - 1;
            const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
            out[((n * h + y) * w + xx) * 9 * c + t * c + ch] = inside ? x[((n * h + sy) * w + sx) * c + ch]! : 0;
          }
  return out;
}

/** Direct 3x3 convolution in float64, image by image. */
function cpuConv(x: Float32Array, wt: Float32Array, bias: Float32Array, b: number, h: number, w: number, cin: number, cout: number): Float64Array {
  const cols = cpuIm2col(x, b, h, w, cin);
  const out = new Float64Array(b * h * w * cout);
  for (let r = 0; r < b * h * w; r++)
    for (let o = 0; o < cout; o++) {
      let s = bias[o]!;
      for (let k = 0; k < 9 * cin; k++) s += cols[r * 9 * cin + k]! * wt[k * cout + o]!;
      out[r * cout + o] = s;
    }
  return out;
}

function cpuPool(x: Float32Array, b: number, h: number, w: number, c: number): Float32Array {
  const ho = Math.floor(h / 2), wo = Math.floor(w / 2);
  const out = new Float32Array(b * ho * wo * c);
  for (let n = 0; n < b; n++)
    for (let y = 0; y < ho; y++)
      for (let xx = 0; xx < wo; xx++)
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) s += x[((n * h + 2 * y + dy!) * w + 2 * xx + dx!) * c + ch]!;
          out[((n * ho + y) * wo + xx) * c + ch] = s / 4;
        }
  return out;
}

for (const [b, h, w, c] of [[1, 1, 1, 1], [2, 3, 5, 3], [3, 7, 4, 2], [2, 16, 9, 17]] as const) {
  test(`im2col3x3 of ${b} images ${h}x${w}x${c} equals the CPU reference exactly`, async () => {
    const rt = await testEngine();
    const x = randn(b * h * w * c, 11);
    await rt.scopeAsync(async () => {
      const got = await im2col3x3(rt.fromData(x, [b * h * w, c]), { batch: b, height: h, width: w }).read();
      assert.equal(Array.from(got), Array.from(cpuIm2col(x, b, h, w, c)));
    });
  });
}

test('batched conv3x3 of 3 images 9x7, 5 -> 6 channels equals a direct CPU convolution (no leak between images)', async () => {
  const rt = await testEngine();
  const [b, h, w, cin, cout] = [3, 9, 7, 5, 6];
  const x = randn(b * h * w * cin, 1), wt = randn(9 * cin * cout, 2, 0.3), bias = randn(cout, 3);
  await rt.scopeAsync(async () => {
    const y = conv3x3Batched(rt.fromData(x, [b * h * w, cin]), rt.fromData(wt, [9 * cin, cout]), rt.fromData(bias, [cout]), { batch: b, height: h, width: w });
    assertClose(await y.read(), cpuConv(x, wt, bias, b, h, w, cin, cout), { rtol: 1e-5, absTol: 1e-5, what: 'conv' });
  });
});

test('batched conv3x3 gradients (x, w, bias) match finite differences on 2 images 5x3', async () => {
  const rt = await testEngine();
  const [b, h, w, cin, cout] = [2, 5, 3, 3, 4];
  const dims = { batch: b, height: h, width: w };
  await gradCheck(
    rt,
    [
      { data: randn(b * h * w * cin, 4), shape: [b * h * w, cin] },
      { data: randn(9 * cin * cout, 5, 0.3), shape: [9 * cin, cout] },
      { data: randn(cout, 6), shape: [cout] },
    ],
    ([x, wt, bias]) => conv3x3Batched(x!, wt!, bias!, dims),
    { samples: 12 },
  );
});

for (const [b, h, w, c] of [[1, 2, 2, 1], [2, 5, 7, 3], [3, 8, 6, 10]] as const) {
  test(`avgPool2 of ${b} images ${h}x${w}x${c} equals the CPU reference`, async () => {
    const rt = await testEngine();
    const x = randn(b * h * w * c, 21);
    await rt.scopeAsync(async () => {
      const got = await avgPool2(rt.fromData(x, [b * h * w, c]), { batch: b, height: h, width: w }).read();
      assertClose(got, cpuPool(x, b, h, w, c), { rtol: 1e-6, absTol: 1e-6, what: 'pool' });
    });
  });
}

test('avgPool2 gradient on odd 5x7 images (dropped row / column get 0) matches finite differences', async () => {
  const rt = await testEngine();
  const dims = { batch: 2, height: 5, width: 7 };
  await gradCheck(rt, [{ data: randn(2 * 35 * 3, 8), shape: [70, 3] }], ([x]) => avgPool2(x!, dims), { samples: 20 });
});

test('globalAvgPool gives each image its channel means, gradient by finite differences', async () => {
  const rt = await testEngine();
  const [b, p, c] = [3, 13, 5];
  const x = randn(b * p * c, 9);
  const want = new Float64Array(b * c);
  for (let n = 0; n < b; n++) for (let q = 0; q < p; q++) for (let ch = 0; ch < c; ch++) want[n * c + ch]! += x[(n * p + q) * c + ch]! / p;
  await rt.scopeAsync(async () => {
    const y = globalAvgPool(rt.fromData(x, [b * p, c]), b);
    assert.equal(y.shape, [b, c]);
    assertClose(await y.read(), want, { rtol: 1e-5, absTol: 1e-6, what: 'gap' });
  });
  await gradCheck(rt, [{ data: x, shape: [b * p, c] }], ([t]) => globalAvgPool(t!, b));
});

test.run();
