// The direct (CPU-adapter) conv3x3 and matmul kernels against plain-TypeScript references
// (f64 accumulation) on odd sizes, including the 70x70x100 -> 100 case. Their gradients are
// checked through conv2d / linear in conv2d.test.ts and matmul.test.ts on whichever path the
// adapter selects; here every kernel is compared on its own.
import { test } from 'uvu';
import { directConvBackwardInput, directConvBackwardWeight, directConvForward, directMatmul } from '../../engine/ops/direct.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, randn } from '../helpers.ts';

function nb(y: number, x: number, tap: number, h: number, w: number): number {
  const sy = y + Math.floor(tap / 3) - 1, sx = x + (tap % 3) - 1;
  return sy >= 0 && sy < h && sx >= 0 && sx < w ? sy * w + sx : -1;
}

function convRef(x: Float32Array, w: Float32Array, bias: Float32Array | null, h: number, wd: number, cin: number, cout: number): Float64Array {
  const out = new Float64Array(h * wd * cout);
  for (let y = 0; y < h; y++)
    for (let xx = 0; xx < wd; xx++)
      for (let co = 0; co < cout; co++) {
        let s = bias ? bias[co]! : 0;
        for (let tap = 0; tap < 9; tap++) {
          const q = nb(y, xx, tap, h, wd);
          if (q < 0) continue;
          for (let ci = 0; ci < cin; ci++) s += x[q * cin + ci]! * w[(tap * cin + ci) * cout + co]!;
        }
        out[(y * wd + xx) * cout + co] = s;
      }
  return out;
}

function convDxRef(g: Float32Array, w: Float32Array, h: number, wd: number, cin: number, cout: number): Float64Array {
  const dx = new Float64Array(h * wd * cin);
  for (let y = 0; y < h; y++)
    for (let xx = 0; xx < wd; xx++)
      for (let tap = 0; tap < 9; tap++) {
        const q = nb(y, xx, tap, h, wd);
        if (q < 0) continue;
        for (let ci = 0; ci < cin; ci++)
          for (let co = 0; co < cout; co++) dx[q * cin + ci]! += g[(y * wd + xx) * cout + co]! * w[(tap * cin + ci) * cout + co]!;
      }
  return dx;
}

function convDwRef(x: Float32Array, g: Float32Array, h: number, wd: number, cin: number, cout: number): Float64Array {
  const dw = new Float64Array(9 * cin * cout);
  for (let y = 0; y < h; y++)
    for (let xx = 0; xx < wd; xx++)
      for (let tap = 0; tap < 9; tap++) {
        const q = nb(y, xx, tap, h, wd);
        if (q < 0) continue;
        for (let ci = 0; ci < cin; ci++)
          for (let co = 0; co < cout; co++) dw[(tap * cin + ci) * cout + co]! += x[q * cin + ci]! * g[(y * wd + xx) * cout + co]!;
      }
  return dw;
}

// f32 dot products of length up to 9*Cin (or H*W for dW) against f64 references: rtol 1e-4 plus
// 1e-5 x max|expected| covers the rounding of ~1e3-1e4 terms; a wrong tap or index is O(1) off.
const tol = { rtol: 1e-4, absTol: 1e-5 };
const CASES: Array<[number, number, number, number]> = [
  [1, 1, 3, 5],
  [3, 5, 3, 7],
  [7, 3, 30, 1],
  [5, 9, 257, 6],
  [11, 13, 4, 100],
  [70, 70, 100, 100],
];

for (const [h, w, cin, cout] of CASES) {
  test(`direct conv3x3 forward (with and without bias), dX and dW, ${h}x${w}x${cin} -> ${cout}`, async () => {
    const rt = await testEngine();
    const x = randn(h * w * cin, 1), wt = randn(9 * cin * cout, 2, 0.1), bias = randn(cout, 3), g = randn(h * w * cout, 4);
    await rt.scopeAsync(async () => {
      const tx = rt.fromData(x, [h * w, cin]), tw = rt.fromData(wt, [9 * cin, cout]), tb = rt.fromData(bias, [cout]), tg = rt.fromData(g, [h * w, cout]);
      assertClose(await directConvForward(tx, tw, tb, h, w).read(), convRef(x, wt, bias, h, w, cin, cout), { ...tol, what: 'fwd+bias' });
      assertClose(await directConvForward(tx, tw, null, h, w).read(), convRef(x, wt, null, h, w, cin, cout), { ...tol, what: 'fwd' });
      assertClose(await directConvBackwardInput(tg, tw, h, w).read(), convDxRef(g, wt, h, w, cin, cout), { ...tol, what: 'dX' });
      assertClose(await directConvBackwardWeight(tx, tg, h, w).read(), convDwRef(x, g, h, w, cin, cout), { ...tol, what: 'dW' });
    });
  });
}

function mmRef(a: Float32Array, b: Float32Array, m: number, n: number, k: number, ta: boolean, tb: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += (ta ? a[t * m + i]! : a[i * k + t]!) * (tb ? b[j * k + t]! : b[t * n + j]!);
      c[i * n + j] = s;
    }
  return c;
}

for (const [m, n, k] of [[1, 1, 1], [3, 5, 7], [70, 100, 257], [257, 3, 70], [100, 257, 30]] as const) {
  test(`direct matmul nn / tn / nt and bias, ${m}x${k} . ${k}x${n}`, async () => {
    const rt = await testEngine();
    const a = randn(m * k, 5), b = randn(k * n, 6), bias = randn(n, 7);
    await rt.scopeAsync(async () => {
      const ta = rt.fromData(a, [m, k]), tb = rt.fromData(b, [k, n]);
      assertClose(await directMatmul(ta, tb, 'nn', m, n, k).read(), mmRef(a, b, m, n, k, false, false), { ...tol, what: 'nn' });
      const withBias = mmRef(a, b, m, n, k, false, false).map((v, i) => v + bias[i % n]!);
      assertClose(await directMatmul(ta, tb, 'nn', m, n, k, rt.fromData(bias, [n])).read(), withBias, { ...tol, what: 'nn+bias' });
      const aT = rt.fromData(a, [k, m]); // the same numbers read as A^T
      assertClose(await directMatmul(aT, tb, 'tn', m, n, k).read(), mmRef(a, b, m, n, k, true, false), { ...tol, what: 'tn' });
      const bT = rt.fromData(b, [n, k]);
      assertClose(await directMatmul(ta, bT, 'nt', m, n, k).read(), mmRef(a, b, m, n, k, false, true), { ...tol, what: 'nt' });
    });
  });
}

test.run();
