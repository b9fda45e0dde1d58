import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backward, continuityLoss } from '../../engine/index.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, gradCheck, randn } from '../helpers.ts';

/** CPU reference in f64: the loss and its (sub)gradient with sign(0) = 0. */
function continuityRef(r: Float32Array, h: number, w: number, c: number): { loss: number; grad: Float64Array } {
  const nV = (h - 1) * w * c, nH = h * (w - 1) * c;
  const iv = nV > 0 ? 1 / nV : 0, ih = nH > 0 ? 1 / nH : 0;
  let sv = 0, sh = 0;
  const grad = new Float64Array(r.length);
  const at = (y: number, x: number, k: number) => (y * w + x) * c + k;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) {
        const i = at(y, x, k);
        if (y + 1 < h) {
          const d = r[at(y + 1, x, k)]! - r[i]!;
          sv += Math.abs(d);
          grad[at(y + 1, x, k)] += Math.sign(d) * iv;
          grad[i] -= Math.sign(d) * iv;
        }
        if (x + 1 < w) {
          const d = r[at(y, x + 1, k)]! - r[i]!;
          sh += Math.abs(d);
          grad[at(y, x + 1, k)] += Math.sign(d) * ih;
          grad[i] -= Math.sign(d) * ih;
        }
      }
  return { loss: sv * iv + sh * ih, grad };
}

const CASES: Array<[number, number, number]> = [[1, 1, 3], [1, 5, 3], [3, 1, 100], [3, 5, 257], [7, 3, 1], [70, 70, 100], [35, 35, 3]];

for (const [h, w, c] of CASES) {
  test(`continuity loss and gradient match CPU, ${h}x${w}x${c}`, async () => {
    const rt = await testEngine();
    const r = randn(h * w * c, h * 1000 + w * 10 + c);
    // Ties give sign(0) = 0 on both sides: make a few exact ones.
    for (let i = 0; i + c < r.length; i += 17) r[i + c] = r[i]!;
    const ref = continuityRef(r, h, w, c);
    await rt.scopeAsync(async () => {
      const tr = rt.fromData(r, [h * w, c]);
      tr.requiresGrad = true;
      const loss = continuityLoss(tr, h, w);
      backward(loss);
      const l = (await loss.read())[0]!;
      // Up to 490k terms summed in f32 (partials of 2048 terms, then a tree): relative 1e-5.
      assert.ok(Math.abs(l - ref.loss) <= 1e-5 * Math.abs(ref.loss) + 1e-7, `loss ${l} vs ${ref.loss}`);
      // Each gradient element is at most 4 signed terms of the same two magnitudes: exact in f32 up to rounding.
      assertClose(await tr.grad!.read(), ref.grad, { rtol: 1e-6, absTol: 1e-7, what: 'dr' });
      tr.grad!.dispose();
    });
  });
}

test('continuity loss is deterministic (bit-identical across runs)', async () => {
  const rt = await testEngine();
  const r = randn(70 * 70 * 100, 5);
  const once = () => rt.scopeAsync(async () => (await continuityLoss(rt.fromData(r, [4900, 100]), 70, 70).read())[0]!);
  const a = await once(), b = await once();
  assert.is(Object.is(a, b), true, `${a} vs ${b}`);
});

test('gradient of the continuity loss (values far from ties)', async () => {
  const rt = await testEngine();
  const h = 4, w = 3, c = 5;
  // Distinct values on a 0.1 lattice, shuffled: every difference is >= 0.1 >> eps = 1e-2.
  const vals = randn(h * w * c, 9);
  const order = Array.from(vals.keys()).sort((i, j) => vals[i]! - vals[j]!);
  const data = new Float32Array(h * w * c);
  order.forEach((idx, rank) => (data[idx] = rank * 0.1));
  await gradCheck(rt, [{ data, shape: [h * w, c] }], ([x]) => continuityLoss(x!, h, w));
});

test.run();
