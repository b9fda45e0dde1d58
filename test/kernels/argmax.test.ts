import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { argmax, countDistinctLabels, labelHistogram } from '../../engine/index.ts';
import { argmaxLanes } from '../../kernels/argmax.ts';
import { testEngine } from '../gpu.ts';
import { randn, rng } from '../helpers.ts';

/** CPU reference: first index of the row maximum. */
function cpuArgmax(x: ArrayLike<number>, n: number, c: number): Int32Array {
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (x[r * c + k]! > x[r * c + best]!) best = k;
    out[r] = best;
  }
  return out;
}

/** Values in {0, 1, 2, 3}: rows have many ties, so the tie rule is exercised everywhere. */
function tiny(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => Math.floor(r() * 4));
}

for (const [n, c] of [[1, 1], [3, 1], [70, 3], [3, 257], [257, 100], [4900, 100], [5, 1000], [3, 2100], [2, 40000]] as Array<[number, number]>) {
  test(`argmax of [${n}, ${c}] (lanes ${argmaxLanes(c)}) matches the CPU, ties to the smallest index`, async () => {
    const rt = await testEngine();
    await rt.scopeAsync(async () => {
      for (const x of [tiny(n * c, n + c), randn(n * c, n * c)]) {
        const got = await argmax(rt.fromData(x, [n, c])).read();
        assert.equal(Array.from(got), Array.from(cpuArgmax(x, n, c)));
      }
    });
  });
}

test('argmax handles -Infinity rows and a [2, 3, 4] tensor (rows = all but the last axis)', async () => {
  const rt = await testEngine();
  await rt.scopeAsync(async () => {
    const x = [-Infinity, -Infinity, -Infinity, -Infinity, 1, -Infinity, 5, 5];
    assert.equal(Array.from(await argmax(rt.fromData(x, [2, 4])).read()), [0, 2]);
    const y = tiny(24, 3);
    const t = argmax(rt.fromData(y, [2, 3, 4]));
    assert.equal(t.shape, [6]);
    assert.is(t.dtype, 'i32');
    assert.equal(Array.from(await t.read()), Array.from(cpuArgmax(y, 6, 4)));
  });
});

for (const [n, c] of [[1, 1], [70, 3], [4900, 100], [257, 1000]] as Array<[number, number]>) {
  test(`label histogram and distinct count of ${n} labels over ${c} classes match the CPU`, async () => {
    const rt = await testEngine();
    const r = rng(n + c);
    // Labels concentrate on a few classes so that some bins stay empty; some are out of range.
    const labels = Int32Array.from({ length: n }, () => (r() < 0.05 ? c + 3 : Math.floor(r() * r() * c)));
    const hist = new Uint32Array(c);
    for (const l of labels) if (l < c) hist[l]!++;
    await rt.scopeAsync(async () => {
      const t = rt.fromData(labels, [n], 'i32');
      assert.equal(Array.from(await labelHistogram(t, c).read()), Array.from(hist));
      assert.is(await rt.readScalar(countDistinctLabels(t, c)), hist.filter((h) => h > 0).length);
    });
  });

  test(`masked label histogram and distinct count of ${n} labels over ${c} classes match the CPU`, async () => {
    const rt = await testEngine();
    const r = rng(7 * n + c);
    const labels = Int32Array.from({ length: n }, () => (r() < 0.05 ? -1 : Math.floor(r() * r() * c)));
    // About a third of the rows masked out, in runs, as a tissue mask would be.
    const mask = Uint32Array.from({ length: n }, (_, i) => (Math.floor(i / 5) % 3 === 0 ? 0 : 1));
    const hist = new Uint32Array(c);
    labels.forEach((l, i) => {
      if (mask[i] && l >= 0 && l < c) hist[l]!++;
    });
    await rt.scopeAsync(async () => {
      const t = rt.fromData(labels, [n], 'i32');
      const m = rt.fromData(mask, [n], 'u32');
      assert.equal(Array.from(await labelHistogram(t, c, m).read()), Array.from(hist));
      assert.is(await rt.readScalar(countDistinctLabels(t, c, m)), hist.filter((h) => h > 0).length);
    });
  });
}

test('masked distinct count: a label only outside the mask does not count', async () => {
  const rt = await testEngine();
  await rt.scopeAsync(async () => {
    const t = rt.fromData(Int32Array.from([5, 5, 1, 2, 1]), [5], 'i32');
    const m = rt.fromData(Uint32Array.from([0, 0, 1, 1, 1]), [5], 'u32');
    assert.is(await rt.readScalar(countDistinctLabels(t, 8, m)), 2);
    assert.is(await rt.readScalar(countDistinctLabels(t, 8)), 3);
  });
});

test('argmax then countDistinctLabels reads one number', async () => {
  const rt = await testEngine();
  const n = 4900, c = 100;
  // Only channels 7, 20 and 99 ever win.
  const x = new Float32Array(n * c);
  for (let i = 0; i < n; i++) x[i * c + [7, 20, 99][i % 3]!] = 1;
  await rt.scopeAsync(async () => {
    assert.is(await rt.readScalar(countDistinctLabels(argmax(rt.fromData(x, [n, c])), c)), 3);
  });
});

test.run();
