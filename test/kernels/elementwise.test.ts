import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { add, mul, relu, scale, sub, full } from '../../engine/index.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, gradCheck, randn } from '../helpers.ts';

const SIZES = [1, 3, 70, 257, 70 * 70 * 100];

for (const n of SIZES) {
  test(`add/sub/mul/scale/relu match CPU, n=${n}`, async () => {
    const rt = await testEngine();
    const a = randn(n, 1), b = randn(n, 2);
    await rt.scopeAsync(async () => {
      const ta = rt.fromData(a, [n]), tb = rt.fromData(b, [n]);
      const [s, d, m, sc, r] = await Promise.all([add(ta, tb), sub(ta, tb), mul(ta, tb), scale(ta, 0.5, -2), relu(ta)].map((t) => t.read()));
      // Single f32 operations: exact up to one rounding of the result.
      assertClose(s!, a.map((x, i) => x + b[i]!), { rtol: 1e-7, absTol: 0, what: 'add' });
      assertClose(d!, a.map((x, i) => x - b[i]!), { rtol: 1e-7, absTol: 0, what: 'sub' });
      assertClose(m!, a.map((x, i) => x * b[i]!), { rtol: 1e-7, absTol: 0, what: 'mul' });
      assertClose(sc!, a.map((x) => x * 0.5 - 2), { rtol: 1e-6, absTol: 0, what: 'scale' });
      assertClose(r!, a.map((x) => Math.max(x, 0)), { rtol: 0, absTol: 0, what: 'relu' });
    });
  });
}

test('fill writes the value everywhere', async () => {
  const rt = await testEngine();
  const v = await rt.scopeAsync(async () => full(rt, [1000], 3.25).read());
  assert.ok(v.every((x) => x === 3.25));
});

test('gradients of add, sub, mul, scale', async () => {
  const rt = await testEngine();
  const shape = [5, 7];
  const a = randn(35, 3), b = randn(35, 4);
  await gradCheck(rt, [{ data: a, shape }, { data: b, shape }], ([x, y]) => scale(mul(add(x!, y!), sub(x!, y!)), 0.7));
});

test('gradient of relu (inputs kept away from the kink)', async () => {
  const rt = await testEngine();
  const a = randn(64, 5).map((x) => (Math.abs(x) < 0.1 ? x + Math.sign(x || 1) * 0.2 : x));
  await gradCheck(rt, [{ data: a, shape: [64] }], ([x]) => relu(x!));
});

test('gradients accumulate across two backward passes', async () => {
  const rt = await testEngine();
  const { backward } = await import('../../engine/index.ts');
  await rt.scopeAsync(async () => {
    const x = rt.keep(rt.fromData([2], [1]));
    x.requiresGrad = true;
    backward(mul(x, x)); // d/dx x^2 = 4
    backward(scale(x, 3)); // + 3
    assert.equal(Array.from(await x.grad!.read()), [7]);
    x.grad!.dispose();
    x.dispose();
  });
});

test.run();
