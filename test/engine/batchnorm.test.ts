import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backwardWith, BatchNorm, batchNorm, mul, relu } from '../../engine/index.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, gradCheck, randn, uniform } from '../helpers.ts';

for (const [n, c] of [[7, 5], [70, 3], [3, 1]] as Array<[number, number]>) {
  test(`batchNorm training gradients for x, gamma, beta on [${n}, ${c}]`, async () => {
    const rt = await testEngine();
    const x = randn(n * c, 31 + n, 2);
    const gamma = uniform(c, 32, 0.5, 1.5), beta = uniform(c, 33);
    await gradCheck(
      rt,
      [{ data: x, shape: [n, c] }, { data: gamma, shape: [c] }, { data: beta, shape: [c] }],
      ([t, g, b]) => batchNorm(t!, g!, b!, null, { training: true }),
      { samples: 12 },
    );
  });
}

test('batchNorm training gradient through a nonlinear loss (y * y) catches the statistics terms', async () => {
  const rt = await testEngine();
  const n = 9, c = 4;
  const x = randn(n * c, 40);
  const gamma = uniform(c, 41, 0.5, 1.5), beta = uniform(c, 42);
  await gradCheck(
    rt,
    [{ data: x, shape: [n, c] }, { data: gamma, shape: [c] }, { data: beta, shape: [c] }],
    ([t, g, b]) => {
      const y = batchNorm(t!, g!, b!, null, { training: true });
      return mul(y, y);
    },
    { samples: 12 },
  );
});

test('fused batchNorm + ReLU equals relu(batchNorm(x)) exactly, forward and backward (odd sizes)', async () => {
  const rt = await testEngine();
  for (const [n, c] of [[3, 1], [37, 5], [4900, 100]] as Array<[number, number]>) {
    const x = randn(n * c, 60 + c), g = randn(n * c, 61 + c);
    const gamma = uniform(c, 62, 0.5, 1.5), beta = uniform(c, 63);
    const run = (fused: boolean) =>
      rt.scopeAsync(async () => {
        const tx = rt.fromData(x, [n, c]), tg = rt.fromData(gamma, [c]), tb = rt.fromData(beta, [c]);
        for (const t of [tx, tg, tb]) t.requiresGrad = true;
        const y = fused ? batchNorm(tx, tg, tb, null, { training: true, relu: true }) : relu(batchNorm(tx, tg, tb, null, { training: true }));
        backwardWith(y, rt.fromData(g, [n, c]));
        const out = [await y.read(), await tx.grad!.read(), await tg.grad!.read(), await tb.grad!.read()];
        for (const t of [tx, tg, tb]) t.grad!.dispose();
        return out.map((a) => Array.from(a));
      });
    const [fused, plain] = [await run(true), await run(false)];
    assert.ok(fused[0]!.some((v) => v === 0) && fused[0]!.some((v) => v > 0), 'the ReLU clips some outputs and keeps others');
    ['y', 'dx', 'dgamma', 'dbeta'].forEach((what, i) => assert.equal(fused[i], plain[i], `${what} on [${n}, ${c}]`));
  }
});

test('gradient of fused batchNorm + ReLU (training) by finite differences', async () => {
  const rt = await testEngine();
  const n = 11, c = 3;
  await gradCheck(
    rt,
    [{ data: randn(n * c, 70), shape: [n, c] }, { data: uniform(c, 71, 0.5, 1.5), shape: [c] }, { data: uniform(c, 72), shape: [c] }],
    ([t, g, b]) => batchNorm(t!, g!, b!, null, { training: true, relu: true }),
    { samples: 12 },
  );
});

test('batchNorm eval gradients for x, gamma, beta', async () => {
  const rt = await testEngine();
  const n = 6, c = 4;
  const x = randn(n * c, 50);
  const gamma = uniform(c, 51, 0.5, 1.5), beta = uniform(c, 52), rm = uniform(c, 53), rv = uniform(c, 54, 0.5, 2);
  const running = rt.scope(() => ({ runningMean: rt.keep(rt.fromData(rm, [c])), runningVar: rt.keep(rt.fromData(rv, [c])) }));
  await gradCheck(
    rt,
    [{ data: x, shape: [n, c] }, { data: gamma, shape: [c] }, { data: beta, shape: [c] }],
    ([t, g, b]) => batchNorm(t!, g!, b!, running, { training: false }),
  );
  running.runningMean.dispose();
  running.runningVar.dispose();
});

test('BatchNorm module: parameters, buffers, init, train/eval switch', async () => {
  const rt = await testEngine();
  const bn = new BatchNorm(rt, 3, { momentum: 0.5 });
  assert.equal(bn.namedParameters().map(([k]) => k), ['gamma', 'beta']);
  assert.equal(bn.namedBuffers().map(([k]) => k), ['runningMean', 'runningVar']);
  assert.equal(Array.from(await bn.gamma.read()), [1, 1, 1]);
  assert.equal(Array.from(await bn.beta.read()), [0, 0, 0]);
  assert.equal(Array.from(await bn.runningVar.read()), [1, 1, 1]);
  const x = Float32Array.from([1, 2, 3, 3, 6, 9]); // per channel: mean 2, 4, 6; biased var 1, 4, 9
  await rt.scopeAsync(async () => {
    const tx = rt.fromData(x, [2, 3]);
    assertClose(await bn.forward(tx).read(), [-1, -1, -1, 1, 1, 1], { rtol: 1e-4, absTol: 1e-5, what: 'train' });
    // momentum 0.5: mean 0.5 * (0 + batch), var 0.5 * (1 + unbiased 2, 8, 18)
    assertClose(await bn.runningMean.read(), [1, 2, 3], { rtol: 1e-6, absTol: 0, what: 'running mean' });
    assertClose(await bn.runningVar.read(), [1.5, 4.5, 9.5], { rtol: 1e-6, absTol: 0, what: 'running var' });
    bn.eval();
    assert.is(bn.training, false);
    const y = await bn.forward(tx).read();
    assertClose(y, Array.from(x, (v, i) => (v - [1, 2, 3][i % 3]!) / Math.sqrt([1.5, 4.5, 9.5][i % 3]! + 1e-5)), { rtol: 1e-5, absTol: 1e-6, what: 'eval' });
  });
  bn.dispose();
  assert.ok(bn.gamma.isDisposed && bn.runningVar.isDisposed);
});


for (const [n, c, relu] of [[11, 3, false], [13, 2, true]] as Array<[number, number, boolean]>) {
  test(`masked batchNorm${relu ? ' + ReLU' : ''} (training) gradients for x, gamma, beta by finite differences on [${n}, ${c}]`, async () => {
    const rt = await testEngine();
    const maskData = Uint32Array.from({ length: n }, (_, i) => (i % 3 === 1 ? 0 : 1));
    const count = maskData.reduce((a, b) => a + b, 0);
    await gradCheck(
      rt,
      [{ data: randn(n * c, 80 + n), shape: [n, c] }, { data: uniform(c, 81, 0.5, 1.5), shape: [c] }, { data: uniform(c, 82), shape: [c] }],
      ([t, g, b]) => {
        const y = batchNorm(t!, g!, b!, null, { training: true, relu, mask: { mask: t!.rt.fromData(maskData, [n], 'u32'), count } });
        return mul(y, y);
      },
      { samples: 16 },
    );
  });
}

test.run();
