import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight, conv2dRaw } from '../../engine/index.ts';
import { kernelLayout } from '../../engine/kernel_layout.ts';
import { conv3x3BackwardInputKernel, conv3x3BackwardWeightKernel, conv3x3ForwardKernel } from '../../kernels/conv2d.ts';
import { GPU_TILE, type GemmTile } from '../../kernels/matmul.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, gradCheck, randn } from '../helpers.ts';
import { refForward, refInputGrad, refWeightGrad } from './conv_ref.ts';

// Tolerances: outputs are f32 sums of 9*C products (dW: of H*W products). Rounding error grows
// with the number of terms and the sum of |terms|, not with the result (which may cancel), so
// we allow rtol 1e-4 of the element plus 1e-5 x max|expected| (max|expected| ~ 4 sqrt(terms)
// for randn data): ~10 ulps of a typical partial sum, far below what a wrong tap, channel or
// padding produces (errors of the order of the terms themselves).
const TOL = { rtol: 1e-4, absTol: 1e-5 };

/** A small tile so the tiled path compiles quickly in tests (lavapipe compile time grows with the register block). */
const SMALL: GemmTile = { bm: 16, bn: 16, bk: 4, rm: 4, rn: 4 };

test('conv kernels declare the bindings their WGSL has (every variant)', () => {
  for (const fill4 of [false, true])
    for (const store4 of [false, true]) {
      for (const bias of [false, true]) kernelLayout(conv3x3ForwardKernel({ bias, fill4, store4, tile: SMALL }));
      kernelLayout(conv3x3BackwardInputKernel({ fill4, store4, tile: SMALL }));
      kernelLayout(conv3x3BackwardWeightKernel({ fill4, store4, tile: SMALL }));
    }
});

// [height, width, cin, cout]: odd sizes, 1x1 images, channel counts off and on multiples of 4
// (scalar and vec4 tile fills), 257 channels.
const SHAPES: [number, number, number, number][] = [
  [1, 1, 3, 5],
  [3, 5, 3, 30],
  [7, 3, 30, 3],
  [5, 4, 257, 3],
  [3, 5, 12, 257],
  [6, 7, 100, 100],
];

for (const [h, w, cin, cout] of SHAPES)
  test(`conv2d forward, dX, dW match CPU on ${h}x${w}, ${cin} -> ${cout} (ops' default and tiled)`, async () => {
    const rt = await testEngine();
    const P = h * w;
    const x = randn(P * cin, h * 100 + cin), wt = randn(9 * cin * cout, cout + 1), b = randn(cout, 3), g = randn(P * cout, 4);
    const fwd = refForward(x, wt, b, h, w, cin, cout), dx = refInputGrad(g, wt, h, w, cin, cout), dw = refWeightGrad(x, g, h, w, cin, cout);
    await rt.scopeAsync(async () => {
      const tx = rt.fromData(x, [P, cin]), tw = rt.fromData(wt, [9 * cin, cout]), tb = rt.fromData(b, [cout]), tg = rt.fromData(g, [P, cout]);
      for (const tile of [undefined, SMALL]) {
        const how = tile ? 'tiled' : 'default';
        const opts = { height: h, width: w, tile };
        assertClose(await conv2dRaw(tx, tw, tb, opts).read(), fwd, { ...TOL, what: `forward (${how})` });
        assertClose(await conv2dBackwardInput(tg, tw, opts).read(), dx, { ...TOL, what: `dX (${how})` });
        assertClose(await conv2dBackwardWeight(tx, tg, opts).read(), dw, { ...TOL, what: `dW (${how})` });
      }
    });
  });

test('GPU_TILE and forced K-splits of dW give the same results (13x11, 20 -> 24)', async () => {
  const rt = await testEngine();
  const [h, w, cin, cout] = [13, 11, 20, 24];
  const P = h * w;
  const x = randn(P * cin, 1), wt = randn(9 * cin * cout, 2), g = randn(P * cout, 3);
  const dw = refWeightGrad(x, g, h, w, cin, cout);
  await rt.scopeAsync(async () => {
    const tx = rt.fromData(x, [P, cin]), tw = rt.fromData(wt, [9 * cin, cout]), tg = rt.fromData(g, [P, cout]);
    const opts = { height: h, width: w, tile: GPU_TILE };
    assertClose(await conv2dRaw(tx, tw, null, opts).read(), refForward(x, wt, null, h, w, cin, cout), { ...TOL, what: 'forward' });
    assertClose(await conv2dBackwardInput(tg, tw, opts).read(), refInputGrad(g, wt, h, w, cin, cout), { ...TOL, what: 'dX' });
    for (const split of [1, 2, 5]) {
      const a = await conv2dBackwardWeight(tx, tg, { ...opts, split }).read();
      assertClose(a, dw, { ...TOL, what: `dW split ${split}` });
      assert.equal(Array.from(a), Array.from(await conv2dBackwardWeight(tx, tg, { ...opts, split }).read()), 'deterministic');
    }
  });
});

// The MSInet layer: 70x70 image, 100 -> 100 channels. With the small tile: the ops' own
// choice on a CPU adapter (CPU_TILE) costs ~20 s of cold compile per kernel; that tile is
// covered by the 4900x900x100 matmul test and the loaders here do not depend on the tile.
test('conv2d 70x70, 100 -> 100: forward, dX and dW match CPU', async () => {
  const rt = await testEngine();
  const [h, w, c] = [70, 70, 100];
  const P = h * w;
  const x = randn(P * c, 11), wt = randn(9 * c * c, 12, 0.05), b = randn(c, 13), g = randn(P * c, 14);
  await rt.scopeAsync(async () => {
    const tx = rt.fromData(x, [P, c]), tw = rt.fromData(wt, [9 * c, c]), tb = rt.fromData(b, [c]), tg = rt.fromData(g, [P, c]);
    const opts = { height: h, width: w, tile: SMALL };
    assertClose(await conv2dRaw(tx, tw, tb, opts).read(), refForward(x, wt, b, h, w, c, c), { ...TOL, what: 'forward' });
    assertClose(await conv2dBackwardInput(tg, tw, opts).read(), refInputGrad(g, wt, h, w, c, c), { ...TOL, what: 'dX' });
    assertClose(await conv2dBackwardWeight(tx, tg, opts).read(), refWeightGrad(x, g, h, w, c, c), { ...TOL, what: 'dW' });
  });
});

// Opt-in (MSINET_HEAVY_TESTS=1): the same layer through the ops' own choice, i.e. CPU_TILE on
// a CPU adapter (~1 min of cold compile on lavapipe, seconds once Mesa's cache has it).
if (process.env.MSINET_HEAVY_TESTS === '1')
  test('conv2d 70x70, 100 -> 100 with the default kernels: forward, dX and dW match CPU', async () => {
    const rt = await testEngine();
    const [h, w, c] = [70, 70, 100];
    const P = h * w;
    const x = randn(P * c, 21), wt = randn(9 * c * c, 22, 0.05), b = randn(c, 23), g = randn(P * c, 24);
    await rt.scopeAsync(async () => {
      const tx = rt.fromData(x, [P, c]), tw = rt.fromData(wt, [9 * c, c]), tb = rt.fromData(b, [c]), tg = rt.fromData(g, [P, c]);
      const opts = { height: h, width: w };
      assertClose(await conv2dRaw(tx, tw, tb, opts).read(), refForward(x, wt, b, h, w, c, c), { ...TOL, what: 'forward' });
      assertClose(await conv2dBackwardInput(tg, tw, opts).read(), refInputGrad(g, wt, h, w, c, c), { ...TOL, what: 'dX' });
      assertClose(await conv2dBackwardWeight(tx, tg, opts).read(), refWeightGrad(x, g, h, w, c, c), { ...TOL, what: 'dW' });
    });
  });

// conv2d is linear in each input, so central differences are exact up to f32 rounding of the
// loss; gradCheck's defaults (rtol 2e-2, atol 2e-3 x max|grad|) leave room for that only.
for (const tile of [undefined, SMALL])
  test(`gradient of conv2d (x, W, b) on 5x3, 3 -> 4 (${tile ? 'tiled' : "ops' default"})`, async () => {
    const rt = await testEngine();
    const [h, w, cin, cout] = [5, 3, 3, 4];
    await gradCheck(
      rt,
      [
        { data: randn(h * w * cin, 41), shape: [h * w, cin] },
        { data: randn(9 * cin * cout, 42), shape: [9 * cin, cout] },
        { data: randn(cout, 43), shape: [cout] },
      ],
      ([x, wt, b]) => conv2d(x!, wt!, b!, { height: h, width: w, tile }),
      { samples: 8 },
    );
  });

test('gradient of two stacked convs without bias (4x4, 2 -> 3 -> 2, tiled)', async () => {
  const rt = await testEngine();
  const opts = { height: 4, width: 4, tile: SMALL };
  await gradCheck(
    rt,
    [
      { data: randn(16 * 2, 51), shape: [16, 2] },
      { data: randn(9 * 2 * 3, 52), shape: [18, 3] },
      { data: randn(9 * 3 * 2, 53), shape: [27, 2] },
    ],
    ([x, w1, w2]) => conv2d(conv2d(x!, w1!, null, opts), w2!, null, opts),
    { samples: 6 },
  );
});

test('conv2d rejects inconsistent shapes', async () => {
  const rt = await testEngine();
  rt.scope(() => {
    assert.throws(() => conv2dRaw(rt.empty([12, 3]), rt.empty([27, 4]), null, { height: 3, width: 5 }), /not \[15, Cin\]/);
    assert.throws(() => conv2dRaw(rt.empty([15, 3]), rt.empty([18, 4]), null, { height: 3, width: 5 }), /not \[9\*3, Cout\]/);
    assert.throws(() => conv2dRaw(rt.empty([15, 3]), rt.empty([27, 4]), rt.empty([5]), { height: 3, width: 5 }), /bias/);
  });
});

test.run();
