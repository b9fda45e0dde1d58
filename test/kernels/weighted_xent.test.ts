// Weighted cross-entropy with ignored rows against a float64 reference on odd sizes, and its
// gradient by finite differences.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { weightedCrossEntropy } from '../../engine/index.ts';
import { testEngine } from '../gpu.ts';
import { gradCheck, randn, uniform } from '../helpers.ts';

function cpu(x: Float32Array, t: Int32Array, w: Float32Array, c: number): number {
  let s = 0, tw = 0;
  for (let r = 0; r < t.length; r++) {
    if (t[r]! < 0) continue;
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, x[r * c + j]!);
    let e = 0;
    for (let j = 0; j < c; j++) e += Math.exp(x[r * c + j]! - m);
    s += w[r]! * (m + Math.log(e) - x[r * c + t[r]!]!);
    tw += w[r]!;
  }
  return tw > 0 ? s / tw : 0;
}

for (const [n, c] of [[1, 2], [7, 3], [70, 6], [257, 13]] as const) {
  test(`weightedCrossEntropy [${n}, ${c}] with ignored rows equals the CPU reference`, async () => {
    const rt = await testEngine();
    const x = randn(n * c, n + c, 3);
    const u = uniform(n, 5, 0, 1);
    const t = Int32Array.from(u, (v, r) => (r > 0 && v < 0.3 ? -1 : Math.floor(v * c)));
    const w = uniform(n, 6, 0.2, 2);
    await rt.scopeAsync(async () => {
      const got = await rt.readScalar(weightedCrossEntropy(rt.fromData(x, [n, c]), t, w));
      const want = cpu(x, t, w, c);
      assert.ok(Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want)), `${got} vs ${want}`);
    });
  });
}

test('weightedCrossEntropy with no target at all is 0', async () => {
  const rt = await testEngine();
  await rt.scopeAsync(async () => {
    const got = await rt.readScalar(weightedCrossEntropy(rt.fromData(randn(12, 1), [4, 3]), new Int32Array(4).fill(-1), new Float32Array(4).fill(1)));
    assert.is(got, 0);
  });
});

test('weightedCrossEntropy gradient matches finite differences (ignored rows get 0)', async () => {
  const rt = await testEngine();
  const [n, c] = [9, 5];
  const t = Int32Array.from({ length: n }, (_, r) => (r % 4 === 3 ? -1 : r % c));
  const w = uniform(n, 8, 0.5, 3);
  await gradCheck(rt, [{ data: randn(n * c, 2, 2), shape: [n, c] }], ([x]) => weightedCrossEntropy(x!, t, w), { samples: 20 });
});

test.run();
