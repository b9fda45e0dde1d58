import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backwardWith, batchNorm, type Tensor } from '../../engine/index.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, randn, uniform } from '../helpers.ts';

interface Ref {
  y: Float64Array;
  mean: Float64Array;
  biasedVar: Float64Array;
}

/** Float64 reference: per-channel batch statistics (two-pass) and the normalised output. */
function cpuBatchNorm(x: Float32Array, n: number, c: number, gamma: Float32Array, beta: Float32Array, eps: number): Ref {
  const mean = new Float64Array(c), biasedVar = new Float64Array(c), y = new Float64Array(n * c);
  for (let i = 0; i < n * c; i++) mean[i % c]! += x[i]! / n;
  for (let i = 0; i < n * c; i++) biasedVar[i % c]! += (x[i]! - mean[i % c]!) ** 2 / n;
  for (let i = 0; i < n * c; i++) {
    const k = i % c;
    y[i] = ((x[i]! - mean[k]!) / Math.sqrt(biasedVar[k]! + eps)) * gamma[k]! + beta[k]!;
  }
  return { y, mean, biasedVar };
}

function cpuEval(x: Float32Array, c: number, rm: Float32Array, rv: Float32Array, gamma: Float32Array, beta: Float32Array, eps: number): Float64Array {
  return Float64Array.from(x, (v, i) => ((v - rm[i % c]!) / Math.sqrt(rv[i % c]! + eps)) * gamma[i % c]! + beta[i % c]!);
}

const CASES: Array<[number, number]> = [[2, 1], [3, 3], [70, 70], [257, 3], [3, 257], [4900, 100]];

for (const [n, c] of CASES) {
  test(`batchNorm training of [${n}, ${c}]: output and running statistics match float64`, async () => {
    const rt = await testEngine();
    const x = randn(n * c, n + c, 1.5).map((v, i) => v + (i % c) * 0.3 - 2);
    const gamma = uniform(c, 1, 0.5, 1.5), beta = uniform(c, 2, -1, 1);
    const rm0 = uniform(c, 3, -0.5, 0.5), rv0 = uniform(c, 4, 0.5, 2);
    const ref = cpuBatchNorm(x, n, c, gamma, beta, 1e-5);
    await rt.scopeAsync(async () => {
      const rm = rt.fromData(rm0, [c]), rv = rt.fromData(rv0, [c]);
      const y = batchNorm(rt.fromData(x, [n, c]), rt.fromData(gamma, [c]), rt.fromData(beta, [c]), { runningMean: rm, runningVar: rv }, { training: true });
      // One f32 reduction (relative error ~1e-6) then one normalisation: 1e-5 of max|y|.
      assertClose(await y.read(), ref.y, { rtol: 1e-5, absTol: 1e-5, what: 'y' });
      const m = 0.1;
      assertClose(await rm.read(), rm0.map((v, k) => (1 - m) * v + m * ref.mean[k]!), { rtol: 1e-5, absTol: 1e-6, what: 'running mean' });
      const unbiased = (k: number) => (ref.biasedVar[k]! * n) / (n - 1);
      assertClose(await rv.read(), rv0.map((v, k) => (1 - m) * v + m * unbiased(k)), { rtol: 1e-5, absTol: 1e-6, what: 'running var' });
    });
  });
}

test('batchNorm eval uses the running statistics, with any N including 1', async () => {
  const rt = await testEngine();
  for (const [n, c] of [[1, 3], [70, 257]] as Array<[number, number]>) {
    const x = randn(n * c, 5);
    const gamma = uniform(c, 6, 0.5, 1.5), beta = uniform(c, 7), rm = uniform(c, 8), rv = uniform(c, 9, 0.1, 3);
    await rt.scopeAsync(async () => {
      const running = { runningMean: rt.fromData(rm, [c]), runningVar: rt.fromData(rv, [c]) };
      const y = batchNorm(rt.fromData(x, [n, c]), rt.fromData(gamma, [c]), rt.fromData(beta, [c]), running, { training: false, eps: 1e-3 });
      assertClose(await y.read(), cpuEval(x, c, rm, rv, gamma, beta, 1e-3), { rtol: 1e-5, absTol: 1e-6, what: `eval [${n}, ${c}]` });
      // Eval leaves the running statistics alone.
      assert.equal(Array.from(await running.runningMean.read()), Array.from(rm));
    });
  }
});

test('batchNorm statistics survive a large mean (1000 + 0.01 * noise, N = 4900): no E[x^2] - E[x]^2 cancellation', async () => {
  const rt = await testEngine();
  const n = 4900, c = 5;
  const x = randn(n * c, 12, 0.01).map((v) => v + 1000);
  const ones = new Float32Array(c).fill(1), zeros = new Float32Array(c);
  const ref = cpuBatchNorm(x, n, c, ones, zeros, 1e-5);
  await rt.scopeAsync(async () => {
    const rm = rt.fromData(zeros, [c]), rv = rt.fromData(zeros, [c]);
    const y = batchNorm(rt.fromData(x, [n, c]), rt.fromData(ones, [c]), rt.fromData(zeros, [c]), { runningMean: rm, runningVar: rv }, { training: true, momentum: 1 });
    // In f32, one-pass E[x^2] - E[x]^2 is off by ~ulp(1e6) = 0.06 against a variance of 1e-4.
    assertClose(await rv.read(), ref.biasedVar.map((v) => (v * n) / (n - 1)), { rtol: 1e-3, absTol: 0, what: 'variance' });
    assertClose(await y.read(), ref.y, { rtol: 0, absTol: 2e-3, what: 'y' });
  });
});

test('batchNorm rejects training on one value per channel and mismatched parameters', async () => {
  const rt = await testEngine();
  rt.scope(() => {
    const g = rt.fromData([1, 1], [2]), b = rt.fromData([0, 0], [2]);
    assert.throws(() => batchNorm(rt.fromData([1, 2], [1, 2]), g, b, null, { training: true }), /more than one value/);
    assert.throws(() => batchNorm(rt.fromData([1, 2, 3], [1, 3]), g, b, null, { training: true }), /do not match/);
    assert.throws(() => batchNorm(rt.fromData([1, 2, 3, 4], [2, 2]), g, b, null, { training: false }), /running/);
  });
});

test('batchNorm is deterministic: two runs give the same bits', async () => {
  const rt = await testEngine();
  const x = randn(4900 * 100, 13);
  const g = new Float32Array(100).fill(1), b = new Float32Array(100);
  await rt.scopeAsync(async () => {
    const run = async () => {
      const t: Tensor = batchNorm(rt.fromData(x, [4900, 100]), rt.fromData(g, [100]), rt.fromData(b, [100]), null, { training: true });
      return Array.from(new Uint32Array((await t.read()).buffer));
    };
    assert.equal(await run(), await run());
  });
});


/** A mask over n rows with `count` ones, spread by a seeded shuffle (u32, 1 = counted). */
function rowMask(n: number, count: number, seed: number): Uint32Array {
  const order = Array.from({ length: n }, (_, i) => i);
  const r = randn(n, seed);
  order.sort((a, b) => r[a]! - r[b]! || a - b);
  const m = new Uint32Array(n);
  for (const i of order.slice(0, count)) m[i] = 1;
  return m;
}

for (const [n, c, count] of [[3, 1, 2], [7, 3, 3], [37, 5, 11], [257, 3, 200], [3, 257, 2], [1601, 100, 333]] as Array<[number, number, number]>) {
  test(`masked batchNorm training of [${n}, ${c}] (${count} counted rows): statistics, output, running stats and dx match float64`, async () => {
    const rt = await testEngine();
    // Unmeasured rows hold large values: any leak into the statistics shows.
    const mask = rowMask(n, count, 7 + n);
    const x = randn(n * c, 3 * n + c, 1.5).map((v, i) => (mask[Math.floor(i / c)] ? v + (i % c) * 0.3 - 2 : 50 + v));
    const gamma = uniform(c, 5, 0.5, 1.5), beta = uniform(c, 6, -1, 1);
    const rm0 = uniform(c, 8, -0.5, 0.5), rv0 = uniform(c, 9, 0.5, 2);
    const dy = randn(n * c, 10 + n);
    const kept = Array.from({ length: n }, (_, r) => r).filter((r) => mask[r]);
    const mean = new Float64Array(c), v = new Float64Array(c);
    for (const r of kept) for (let k = 0; k < c; k++) mean[k]! += x[r * c + k]! / count;
    for (const r of kept) for (let k = 0; k < c; k++) v[k]! += (x[r * c + k]! - mean[k]!) ** 2 / count;
    const inv = Float64Array.from(v, (s) => 1 / Math.sqrt(s + 1e-5));
    const y = Float64Array.from(x, (val, i) => (val - mean[i % c]!) * inv[i % c]! * gamma[i % c]! + beta[i % c]!);
    // dx from the formula derived by hand: sums over every row, the statistics terms only on counted rows.
    const sdy = new Float64Array(c), sdev = new Float64Array(c);
    for (let i = 0; i < n * c; i++) {
      sdy[i % c]! += dy[i]!;
      sdev[i % c]! += dy[i]! * (x[i]! - mean[i % c]!);
    }
    const dx = Float64Array.from(x, (val, i) => {
      const k = i % c, a = gamma[k]! * inv[k]!;
      const stats = mask[Math.floor(i / c)] ? (-a * sdy[k]!) / count - (a * inv[k]! ** 2 * sdev[k]! * (val - mean[k]!)) / count : 0;
      return a * dy[i]! + stats;
    });
    await rt.scopeAsync(async () => {
      const rm = rt.fromData(rm0, [c]), rv = rt.fromData(rv0, [c]);
      const tx = rt.fromData(x, [n, c]);
      tx.requiresGrad = true;
      const out = batchNorm(tx, rt.fromData(gamma, [c]), rt.fromData(beta, [c]), { runningMean: rm, runningVar: rv }, {
        training: true,
        mask: { mask: rt.fromData(mask, [n], 'u32'), count },
      });
      assertClose(await out.read(), y, { rtol: 1e-4, absTol: 1e-4, what: 'y' });
      assertClose(await rm.read(), rm0.map((r0, k) => 0.9 * r0 + 0.1 * mean[k]!), { rtol: 1e-5, absTol: 1e-5, what: 'running mean' });
      assertClose(await rv.read(), rv0.map((r0, k) => 0.9 * r0 + 0.1 * ((v[k]! * count) / (count - 1))), { rtol: 1e-4, absTol: 1e-5, what: 'running var' });
      backwardWith(out, rt.fromData(dy, [n, c]));
      assertClose(await tx.grad!.read(), dx, { rtol: 1e-3, absTol: 1e-3, what: 'dx' });
      tx.grad!.dispose();
    });
  });
}

test('masked batchNorm with every row counted equals the unmasked one', async () => {
  const rt = await testEngine();
  const n = 37, c = 5;
  const x = randn(n * c, 90, 2), gamma = uniform(c, 91, 0.5, 1.5), beta = uniform(c, 92);
  await rt.scopeAsync(async () => {
    const args = [rt.fromData(x, [n, c]), rt.fromData(gamma, [c]), rt.fromData(beta, [c])] as const;
    const plain = await batchNorm(...args, null, { training: true }).read();
    const all = await batchNorm(...args, null, { training: true, mask: { mask: rt.fromData(new Uint32Array(n).fill(1), [n], 'u32'), count: n } }).read();
    assertClose(all, Float64Array.from(plain), { rtol: 1e-5, absTol: 1e-5, what: 'y' });
  });
});

test.run();
