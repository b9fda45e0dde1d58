import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { axisView, mean, reduceRaw, sum, type Tensor } from '../../engine/index.ts';
import type { ReducePre } from '../../kernels/reduce.ts';
import { testEngine } from '../gpu.ts';
import { randn, rng } from '../helpers.ts';

/** Multiples of 1/4 in [-4, 4]: their f32 sums (below 2^22 in size) are exact, so GPU and CPU must agree bit for bit. */
function quarters(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => Math.round(r() * 32 - 16) / 4);
}

/** CPU reference in float64: out[o, i] = sum_r pre(x[o, r, i]). */
function cpuReduce(
  x: ArrayLike<number>,
  shape: number[],
  axis: number | undefined,
  pre: (j: number, oi: number) => number = (j) => x[j]!,
): Float64Array {
  const { view } = axisView(shape, axis);
  const out = new Float64Array(view.outer * view.inner);
  for (let o = 0; o < view.outer; o++)
    for (let r = 0; r < view.r; r++)
      for (let i = 0; i < view.inner; i++) out[o * view.inner + i]! += pre((o * view.r + r) * view.inner + i, o * view.inner + i);
  return out;
}

function assertExact(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++)
    if (actual[i] !== expected[i]) assert.unreachable(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
}

const CASES: Array<[number, number]> = [
  [1, 1], [1, 257], [3, 70], [70, 3], [257, 1], [257, 100], [70, 257], [4900, 100],
];

for (const [n, c] of CASES) {
  test(`sum / mean over rows, columns and all of [${n}, ${c}] are exact on quarter-integers`, async () => {
    const rt = await testEngine();
    const x = quarters(n * c, n * 31 + c);
    const shape = [n, c];
    await rt.scopeAsync(async () => {
      const t = rt.fromData(x, shape);
      for (const axis of [0, 1, undefined]) {
        const { view, outShape } = axisView(shape, axis);
        const s = sum(t, axis), m = mean(t, axis);
        assert.equal(s.shape, outShape);
        const ref = cpuReduce(x, shape, axis);
        assertExact(await s.read(), ref, `sum axis ${axis}`);
        const inv = Math.fround(1 / view.r);
        assertExact(await m.read(), ref.map((v) => Math.fround(v * inv)), `mean axis ${axis}`);
      }
    });
  });
}

test('sum of 263000 x 32 over rows takes three passes and stays exact', async () => {
  const rt = await testEngine();
  const shape = [263000, 32];
  const x = quarters(shape[0]! * shape[1]!, 5);
  await rt.scopeAsync(async () => {
    assertExact(await sum(rt.fromData(x, shape), 0).read(), cpuReduce(x, shape, 0), 'column sums');
  });
});

test('row sums of long rows [2, 70001] and a middle axis of [3, 70, 5]', async () => {
  const rt = await testEngine();
  for (const [shape, axis] of [[[2, 70001], 1], [[3, 70, 5], 1], [[3, 70, 5], -1], [[3, 70, 5], 0]] as Array<[number[], number]>) {
    const x = quarters(shape.reduce((a, b) => a * b), 9);
    await rt.scopeAsync(async () => {
      const s = sum(rt.fromData(x, shape), axis);
      assert.equal(s.shape, axisView(shape, axis).outShape);
      assertExact(await s.read(), cpuReduce(x, shape, axis), `[${shape}] axis ${axis}`);
    });
  }
});

test('sums of Gaussian data match float64 within 2e-6 of the sum of |x| (4900 x 100, all axes)', async () => {
  const rt = await testEngine();
  const shape = [4900, 100];
  const x = randn(4900 * 100, 3, 2);
  await rt.scopeAsync(async () => {
    const t = rt.fromData(x, shape);
    for (const axis of [0, 1, undefined]) {
      const got = await sum(t, axis).read();
      const ref = cpuReduce(x, shape, axis);
      const l1 = cpuReduce(x, shape, axis, (j) => Math.abs(x[j]!));
      for (let i = 0; i < ref.length; i++)
        assert.ok(Math.abs(got[i]! - ref[i]!) <= 2e-6 * l1[i]!, `axis ${axis} [${i}]: ${got[i]} vs ${ref[i]} (sum|x| ${l1[i]})`);
    }
  });
});

test('every element map (mul, sq, abs, sqdev, muldev) matches the CPU exactly', async () => {
  const rt = await testEngine();
  for (const [shape, axis] of [[[257, 70], 0], [[70, 257], 1], [[3, 1], 0]] as Array<[number[], number]>) {
    const n = shape[0]! * shape[1]!;
    const x = quarters(n, 11), y = quarters(n, 12);
    const { view } = axisView(shape, axis);
    const m = quarters(view.outer * view.inner, 13);
    const f: Record<ReducePre, (j: number, oi: number) => number> = {
      id: (j) => x[j]!,
      mul: (j) => x[j]! * y[j]!,
      sq: (j) => x[j]! * x[j]!,
      abs: (j) => Math.abs(x[j]!),
      sqdev: (j, oi) => (x[j]! - m[oi]!) ** 2,
      muldev: (j, oi) => x[j]! * (y[j]! - m[oi]!),
    };
    await rt.scopeAsync(async () => {
      const tx = rt.fromData(x, shape), ty = rt.fromData(y, shape), tm = rt.fromData(m, [m.length]);
      for (const pre of Object.keys(f) as ReducePre[]) {
        const got = await reduceRaw(tx, view, { pre, y: ty, m: tm, scale: 0.5 }).read();
        assertExact(got, cpuReduce(x, shape, axis, f[pre]).map((v) => v * 0.5), `${pre} on [${shape}] axis ${axis}`);
      }
    });
  }
});

test('same input, same bits: repeated sums are identical', async () => {
  const rt = await testEngine();
  const x = randn(4900 * 100, 21);
  await rt.scopeAsync(async () => {
    const t = rt.fromData(x, [4900, 100]);
    const reads = async (f: () => Tensor) => new Uint32Array((await f().read()).buffer);
    for (const axis of [0, 1, undefined]) {
      const a = await reads(() => sum(t, axis)), b = await reads(() => sum(t, axis));
      assert.equal(Array.from(a), Array.from(b), `axis ${axis}`);
    }
  });
});

test('reduce rejects a mismatched view and a missing operand', async () => {
  const rt = await testEngine();
  rt.scope(() => {
    const t = rt.fromData(new Float32Array(6), [2, 3]);
    assert.throws(() => reduceRaw(t, { outer: 1, r: 5, inner: 1 }), /does not match/);
    assert.throws(() => reduceRaw(t, { outer: 1, r: 2, inner: 3 }, { pre: 'mul' }), /needs operand y/);
    assert.throws(() => sum(t, 2), /out of range/);
  });
});

test.run();
