import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Dropout2d, dropout2d, dropoutMask } from '../../engine/index.ts';
import { testEngine } from '../gpu.ts';
import { gradCheck, randn } from '../helpers.ts';

/** CPU mirror of the WGSL PCG hash. */
function pcg(v: number): number {
  const state = (Math.imul(v, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

function cpuMask(count: number, p: number, seed: number, step: number): Float32Array {
  const thr = Math.min(0xffffffff, Math.floor(p * 2 ** 32));
  const keep = Math.fround(p < 1 ? 1 / (1 - p) : 0);
  const base = pcg((pcg(seed) + step) >>> 0);
  return Float32Array.from({ length: count }, (_, j) => (pcg((base + j) >>> 0) < thr ? 0 : keep));
}

for (const [samples, c, p] of [[1, 1, 0.5], [1, 3, 0.5], [1, 100, 0.1], [3, 70, 0.25], [1, 257, 0.9]] as Array<[number, number, number]>) {
  test(`dropout mask [${samples}, ${c}] p=${p} equals the CPU hash bit for bit`, async () => {
    const rt = await testEngine();
    await rt.scopeAsync(async () => {
      const got = await dropoutMask(rt, samples, c, p, 1234, 7).read();
      assert.equal(Array.from(got), Array.from(cpuMask(samples * c, p, 1234, 7)));
    });
  });
}

test('dropout2d on [4900, 100] zeroes whole channels and scales the rest by 1/(1-p)', async () => {
  const rt = await testEngine();
  const n = 4900, c = 100, p = 0.1;
  const x = randn(n * c, 3);
  const mask = cpuMask(c, p, 42, 3);
  await rt.scopeAsync(async () => {
    const y = await dropout2d(rt.fromData(x, [n, c]), { p, training: true, seed: 42, step: 3 }).read();
    for (let i = 0; i < n * c; i++) if (y[i] !== Math.fround(x[i]! * mask[i % c]!)) assert.unreachable(`element ${i}: ${y[i]} vs ${x[i]! * mask[i % c]!}`);
    const dropped = mask.filter((v) => v === 0).length;
    assert.ok(dropped > 0 && dropped < c, `some but not all channels dropped (${dropped})`);
  });
});

test('dropout2d on [3, 70, 5] draws one mask per sample', async () => {
  const rt = await testEngine();
  const x = randn(3 * 70 * 5, 4);
  const mask = cpuMask(15, 0.5, 9, 0);
  await rt.scopeAsync(async () => {
    const y = await dropout2d(rt.fromData(x, [3, 70, 5]), { p: 0.5, training: true, seed: 9, step: 0 }).read();
    assert.equal(Array.from(y), Array.from(x, (v, i) => Math.fround(v * mask[Math.floor(i / 350) * 5 + (i % 5)]!)));
  });
});

test('dropout mask is reproducible from (seed, step) and changes with either', async () => {
  const rt = await testEngine();
  await rt.scopeAsync(async () => {
    const m = async (seed: number, step: number) => Array.from(await dropoutMask(rt, 1, 257, 0.5, seed, step).read());
    const a = await m(5, 1);
    assert.equal(await m(5, 1), a);
    assert.not.equal(await m(5, 2), a);
    assert.not.equal(await m(6, 1), a);
  });
});

test('dropped fraction over 100000 channels is p within 7 standard deviations', async () => {
  const rt = await testEngine();
  await rt.scopeAsync(async () => {
    for (const p of [0.1, 0.3]) {
      const v = await dropoutMask(rt, 1, 100000, p, 77, 0).read();
      const frac = v.filter((x) => x === 0).length / v.length;
      assert.ok(Math.abs(frac - p) < 7 * Math.sqrt((p * (1 - p)) / v.length), `p ${p}: dropped ${frac}`);
    }
  });
});

test('dropout2d is the identity in eval mode and for p = 0; p = 1 gives zeros', async () => {
  const rt = await testEngine();
  await rt.scopeAsync(async () => {
    const x = rt.fromData([1, 2, 3, 4, 5, 6], [2, 3]);
    assert.is(dropout2d(x, { p: 0.5, training: false, seed: 1, step: 0 }), x);
    assert.is(dropout2d(x, { p: 0, training: true, seed: 1, step: 0 }), x);
    assert.equal(Array.from(await dropout2d(x, { p: 1, training: true, seed: 1, step: 0 }).read()), [0, 0, 0, 0, 0, 0]);
    assert.throws(() => dropoutMask(rt, 1, 3, 1.5, 0, 0), /\[0, 1\]/);
  });
});

test('gradient of dropout2d uses the forward mask', async () => {
  const rt = await testEngine();
  await gradCheck(rt, [{ data: randn(70 * 6, 8), shape: [70, 6] }], ([x]) => dropout2d(x!, { p: 0.5, training: true, seed: 3, step: 1 }), {
    rtol: 1e-3,
    atol: 1e-4,
    samples: 20,
  });
});

test('Dropout2d module: new mask each training forward, identity in eval', async () => {
  const rt = await testEngine();
  const d = new Dropout2d(0.5, 11);
  await rt.scopeAsync(async () => {
    const x = rt.fromData(new Float32Array(64).fill(1), [1, 64]);
    const a = Array.from(await d.forward(x).read());
    const b = Array.from(await d.forward(x).read());
    assert.is(d.step, 2);
    assert.equal(a, Array.from(cpuMask(64, 0.5, 11, 0)));
    assert.equal(b, Array.from(cpuMask(64, 0.5, 11, 1)));
    d.eval();
    assert.is(d.forward(x), x);
  });
});

test.run();
