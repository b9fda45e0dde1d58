// The direct (CPU-adapter) conv3x3 kernels against plain-TypeScript references
// (f64 accumulation) on odd sizes, including the 70x70x100 -> 100 case. Their gradients are
// checked through conv2d in conv2d.test.ts on whichever path the
// adapter selects; here every kernel is compared on its own.
import { test } from 'uvu';
import { directConvBackwardInput, directConvBackwardWeight, directConvForward } from '../../engine/ops/direct.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, randn } from '../helpers.ts';
import { refForward, refInputGrad, refWeightGrad } from './conv_ref.ts';

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
      assertClose(await directConvForward(tx, tw, tb, h, w).read(), refForward(x, wt, bias, h, w, cin, cout), { ...tol, what: 'fwd+bias' });
      assertClose(await directConvForward(tx, tw, null, h, w).read(), refForward(x, wt, null, h, w, cin, cout), { ...tol, what: 'fwd' });
      assertClose(await directConvBackwardInput(tg, tw, h, w).read(), refInputGrad(g, wt, h, w, cin, cout), { ...tol, what: 'dX' });
      assertClose(await directConvBackwardWeight(tx, tg, h, w).read(), refWeightGrad(x, g, h, w, cin, cout), { ...tol, what: 'dW' });
    });
  });
}

test.run();
