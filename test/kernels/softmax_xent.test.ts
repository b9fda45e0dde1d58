import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { softmax, softmaxCrossEntropy } from '../../engine/index.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, gradCheck, randn, rng } from '../helpers.ts';

/** CPU reference in f64: per-row softmax and the mean cross-entropy. */
function softmaxRef(x: Float32Array, n: number, c: number): Float64Array {
  const y = new Float64Array(n * c);
  for (let r = 0; r < n; r++) {
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, x[r * c + j]!);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(x[r * c + j]! - m);
    for (let j = 0; j < c; j++) y[r * c + j] = Math.exp(x[r * c + j]! - m) / s;
  }
  return y;
}

function xentRef(x: Float32Array, t: Int32Array, n: number, c: number): { loss: number; grad: Float64Array } {
  const p = softmaxRef(x, n, c);
  let loss = 0;
  const grad = new Float64Array(n * c);
  for (let r = 0; r < n; r++) {
    loss -= Math.log(p[r * c + t[r]!]!);
    for (let j = 0; j < c; j++) grad[r * c + j] = (p[r * c + j]! - (j === t[r] ? 1 : 0)) / n;
  }
  return { loss: loss / n, grad };
}

const targetsFor = (n: number, c: number, seed: number) => {
  const r = rng(seed);
  return Int32Array.from({ length: n }, () => Math.floor(r() * c));
};

const CASES: Array<[number, number]> = [[1, 3], [3, 100], [70, 257], [257, 3], [1225, 100], [4900, 100], [5, 1000]];

for (const [n, c] of CASES) {
  test(`softmax and cross-entropy match CPU, N=${n} C=${c}`, async () => {
    const rt = await testEngine();
    // std 4 plus an offset of 50: exp would overflow without the max subtraction.
    const x = randn(n * c, n + c, 4).map((v) => v + 50);
    const t = targetsFor(n, c, n * 7 + c);
    const ref = xentRef(x, t, n, c);
    await rt.scopeAsync(async () => {
      const tx = rt.fromData(x, [n, c]);
      tx.requiresGrad = true;
      const tt = rt.fromData(t, [n], 'i32');
      const y = await softmax(tx).read();
      // exp of an argument accurate to 1 ulp of ~60 (4e-6 absolute): relative 1e-5 on p.
      assertClose(y, softmaxRef(x, n, c), { rtol: 2e-5, absTol: 1e-6, what: 'softmax' });
      const loss = softmaxCrossEntropy(tx, tt);
      const { backward } = await import('../../engine/index.ts');
      backward(loss);
      const l = (await loss.read())[0]!;
      // lse - x[t] subtracts two numbers ~60: its absolute error is a few ulps of 60.
      assert.ok(Math.abs(l - ref.loss) <= 1e-5 * Math.abs(ref.loss) + 2e-5, `loss ${l} vs ${ref.loss}`);
      assertClose(await tx.grad!.read(), ref.grad, { rtol: 1e-4, absTol: 1e-5, what: 'dlogits' });
      tx.grad!.dispose();
    });
  });
}

test('cross-entropy is finite for huge logits and exact on a known case', async () => {
  const rt = await testEngine();
  await rt.scopeAsync(async () => {
    // Row 0: logits (0, 0): loss log 2. Row 1: (1e30, 0) with target 0: loss 0, no overflow.
    const x = rt.fromData([0, 0, 1e30, 0], [2, 2]);
    const t = rt.fromData([1, 0], [2], 'i32');
    const l = (await softmaxCrossEntropy(x, t).read())[0]!;
    assert.ok(Math.abs(l - Math.LN2 / 2) < 1e-7, `loss ${l}`);
  });
});

test('gradient of softmax', async () => {
  const rt = await testEngine();
  await gradCheck(rt, [{ data: randn(3 * 7, 11), shape: [3, 7] }], ([x]) => softmax(x!));
});

test('gradient of softmax cross-entropy', async () => {
  const rt = await testEngine();
  const n = 5, c = 9;
  const t = targetsFor(n, c, 3);
  await gradCheck(rt, [{ data: randn(n * c, 12, 2), shape: [n, c] }], ([x]) =>
    softmaxCrossEntropy(x!, rt.fromData(t, [n], 'i32')),
  );
});

test.run();
