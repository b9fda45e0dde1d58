import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ImzmlFile, ImzmlMode, SpectrumInfo } from '../../io/imzml/types.ts';
import { preprocessImzml, type PreprocessOptions } from '../../io/preprocess.ts';
import { binSpectrum, makeBinning } from '../../io/mz-binning.ts';
import { npyFeatureMatrix } from '../../io/npy-features.ts';
import { parseNpy, encodeNpy } from '../../io/npy.ts';
import { simulateMsi } from '../../io/simulator.ts';
import { simulatedImzml } from '../../io/simulated-file.ts';
import { openImzml } from '../../io/imzml/node.ts';
import { writeSimulation } from '../../io/simulator-node.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertClose, rng } from '../helpers.ts';

interface FakeSpectrum {
  x: number;
  y: number;
  mz: number[];
  intensity: number[];
}

/** An in-memory ImzmlFile: enough of the contract for preprocessing, counting reads. */
function fakeImzml(mode: ImzmlMode, width: number, height: number, list: FakeSpectrum[]): ImzmlFile & { reads: number } {
  const ref = { offset: 0, length: 0, encodedLength: 0, dtype: 'f64' as const, compression: 'none' as const };
  const spectra: SpectrumInfo[] = list.map((s, index) => ({ index, x: s.x, y: s.y, mz: ref, intensity: ref }));
  const f = {
    mode,
    uuid: null,
    width,
    height,
    spectra,
    reads: 0,
    source: { name: 'fake.ibd', size: 0, read: async () => new Uint8Array(0) },
    async readSpectrum(i: number) {
      f.reads++;
      return { mz: Float64Array.from(list[i]!.mz), intensity: Float64Array.from(list[i]!.intensity) };
    },
    mask() {
      const m = new Uint8Array(width * height);
      for (const s of list) m[(s.y - 1) * width + s.x - 1] = 1;
      return m;
    },
    async close() {},
  };
  return f;
}

// The hand-made processed dataset: a 2 x 2 grid, pixel (2,2) has no spectrum.
//   A at (1,1): m/z 100.004, 100.006, 200.003, 300.054  intensity 1, 1, 2, 6   (TIC 10)
//   B at (2,1): m/z 100.001, 300.056                    intensity 3, 1         (TIC 4)
//   C at (1,2): m/z 200.005, 250.002                    intensity 5, 0.5       (TIC 5.5)
// 0.01 Da bins from 0: 100.00x -> bin 10000, 200.00x -> 20000, 250.002 -> 25000, 300.05x -> 30005.
// Raw bin sums per pixel (rows in grid order p0 = (1,1), p1 = (2,1), p2 = (1,2)):
//            10000  20000  25000  30005
//   p0         2      2      0      6
//   p1         3      0      0      1
//   p2         0      5     0.5     0
// means over 3 pixels: 5/3, 7/3, 1/6, 7/3 -> top 3 by mean: 10000, 20000, 30005.
// variances (population): 14/9, 38/9, 1/12 - 1/36 = 1/18, 62/9.
const A = { x: 1, y: 1, mz: [100.004, 100.006, 200.003, 300.054], intensity: [1, 1, 2, 6] };
const B = { x: 2, y: 1, mz: [100.001, 300.056], intensity: [3, 1] };
const C = { x: 1, y: 2, mz: [200.005, 250.002], intensity: [5, 0.5] };
const hand = () => fakeImzml('processed', 2, 2, [A, B, C]);

test('hand dataset, no normalisation: expected matrix, mask, m/z, one pass', async () => {
  const f = hand();
  const r = await preprocessImzml(f, { normalize: 'none', topK: 3 });
  assert.equal(Array.from(r.mask), [1, 1, 1, 0]);
  assert.is(r.nPixels, 3);
  assert.is(r.nFeatures, 3);
  assert.is(r.candidates, 4);
  assert.equal(Array.from(r.features), [2, 2, 6, 3, 0, 1, 0, 5, 0]);
  // Bin centres: 10000.5 * 0.01 etc.
  assertClose(r.mzValues, [100.005, 200.005, 300.055], { rtol: 1e-12, absTol: 0, what: 'mz' });
  assertClose(r.featureMean, [5 / 3, 7 / 3, 7 / 3], { rtol: 1e-12, absTol: 0 });
  // Population variances: [2,3,0] -> 13/3 - 25/9 = 14/9; [2,0,5] -> 29/3 - 49/9 = 38/9; [6,1,0] -> 37/3 - 49/9 = 62/9.
  assertClose(r.featureVariance, [14 / 9, 38 / 9, 62 / 9], { rtol: 1e-12, absTol: 0 });
  assert.equal(Array.from(r.tic).slice(0, 3), [10, 4, 5.5]);
  assert.ok(Number.isNaN(r.tic[3]!), 'missing pixel TIC is NaN');
  assert.is(r.passes, 1);
  assert.is(f.reads, 3, 'each spectrum read once');
});

test('hand dataset: TIC and RMS normalisation', async () => {
  const r = await preprocessImzml(hand(), { normalize: 'tic', normTarget: 1, topK: 3 });
  // Each row divided by its pixel's TIC (10, 4, 5.5).
  assertClose(r.features, [0.2, 0.2, 0.6, 0.75, 0, 0.25, 0, 5 / 5.5, 0], { rtol: 1e-6, absTol: 0, what: 'tic' });
  const d = await preprocessImzml(hand(), { topK: 3 }); // default target 1e6
  assertClose(d.features, [0.2, 0.2, 0.6, 0.75, 0, 0.25, 0, 5 / 5.5, 0].map((v) => v * 1e6), { rtol: 1e-6, absTol: 0 });
  // RMS of A's points: sqrt((1 + 1 + 4 + 36) / 4) = sqrt(10.5); of B: sqrt(10 / 2) = sqrt(5); of C: sqrt(25.25 / 2).
  const ra = Math.sqrt(10.5), rb = Math.sqrt(5), rc = Math.sqrt(12.625);
  const m = await preprocessImzml(hand(), { normalize: 'rms', topK: 3 });
  assertClose(m.features, [2 / ra, 2 / ra, 6 / ra, 3 / rb, 0, 1 / rb, 0, 5 / rc, 0], { rtol: 1e-6, absTol: 0, what: 'rms' });
});

test('hand dataset: sqrt and log1p apply to bin sums, not to points', async () => {
  const s = await preprocessImzml(hand(), { normalize: 'none', transform: 'sqrt', topK: 3 });
  // Bin 10000 of A sums 1 + 1 = 2 -> sqrt 2 (sqrt of points would give 2).
  assertClose(s.features, [2, 2, 6, 3, 0, 1, 0, 5, 0].map(Math.sqrt), { rtol: 1e-6, absTol: 0 });
  const l = await preprocessImzml(hand(), { normalize: 'none', transform: 'log1p', topK: 3 });
  assertClose(l.features, [2, 2, 6, 3, 0, 1, 0, 5, 0].map(Math.log1p), { rtol: 1e-6, absTol: 0 });
});

test('hand dataset: selection by variance, m/z range, TIC threshold mask', async () => {
  const v = await preprocessImzml(hand(), { normalize: 'none', topK: 2, select: 'variance' });
  // Variances 14/9, 38/9, 1/36, 62/9: the two largest are bins 20000 and 30005.
  assertClose(v.mzValues, [200.005, 300.055], { rtol: 1e-12, absTol: 0 });
  assert.equal(Array.from(v.features), [2, 6, 0, 1, 5, 0]);
  // Range [150, 260] anchors the bins at 150: 200.00x -> bin 5000, 250.002 -> bin 10000.
  const range = await preprocessImzml(hand(), { normalize: 'none', mzMin: 150, mzMax: 260 });
  assert.is(range.nFeatures, 2, 'only two bins have signal in range');
  assertClose(range.mzValues, [200.005, 250.005], { rtol: 1e-12, absTol: 0 });
  assert.equal(Array.from(range.features), [2, 0, 0, 0, 5, 0.5]);
  // TIC threshold 5 drops B (TIC 4); the missing pixel stays masked.
  const t = await preprocessImzml(hand(), { normalize: 'none', topK: 3, ticThreshold: 5 });
  assert.equal(Array.from(t.mask), [1, 0, 1, 0]);
  assert.is(t.nPixels, 2);
  // Statistics use kept pixels only: means 10000 -> 1, 20000 -> 3.5, 25000 -> 0.25, 30005 -> 3.
  assertClose(t.mzValues, [100.005, 200.005, 300.055], { rtol: 1e-12, absTol: 0 });
  assert.equal(Array.from(t.features), [2, 2, 6, 0, 5, 0]);
  assertClose(t.featureMean, [1, 3.5, 3], { rtol: 1e-12, absTol: 0 });
});

test('hand dataset with 1000 ppm bins groups the same peaks', async () => {
  // Anchored at 100: bin = floor(ln(mz / 100) / ln 1.001): 100.00x -> 0, 200.00x -> 693,
  // 250.002 -> 916, 300.05x -> 1099.
  const r = await preprocessImzml(hand(), { normalize: 'none', topK: 3, binWidth: 1000, binUnit: 'ppm', mzMin: 100 });
  assert.equal(Array.from(r.features), [2, 2, 6, 3, 0, 1, 0, 5, 0]);
  assertClose(r.mzValues, [0.5, 693.5, 1099.5].map((b) => 100 * 1.001 ** b), { rtol: 1e-12, absTol: 0 });
});

test('continuous data on its own axis; m/z range; binning on request', async () => {
  const axis = [100, 101, 102, 103];
  const f = () =>
    fakeImzml('continuous', 2, 1, [
      { x: 1, y: 1, mz: axis, intensity: [1, 0, 3, 0] },
      { x: 2, y: 1, mz: axis, intensity: [0, 2, 2, 4] },
    ]);
  // Means per point: 0.5, 1, 2.5, 2 -> top 2: points 2 and 3.
  const r = await preprocessImzml(f(), { normalize: 'none', topK: 2 });
  assert.equal(Array.from(r.mzValues), [102, 103]);
  assert.equal(Array.from(r.features), [3, 0, 2, 4]);
  const range = await preprocessImzml(f(), { normalize: 'none', topK: 2, mzMax: 102.5 });
  assert.equal(Array.from(range.mzValues), [101, 102]);
  assert.equal(Array.from(range.features), [0, 3, 2, 2]);
  // 2 Da bins from 100: {100, 101} and {102, 103}.
  const binned = await preprocessImzml(f(), { normalize: 'none', binContinuous: true, binWidth: 2, mzMin: 100 });
  assert.equal(Array.from(binned.mzValues), [101, 103]);
  assert.equal(Array.from(binned.features), [1, 3, 2, 6]);
  // A spectrum with another axis is an error naming it.
  const bad = fakeImzml('continuous', 2, 1, [
    { x: 1, y: 1, mz: axis, intensity: [1, 0, 3, 0] },
    { x: 2, y: 1, mz: [100, 101, 102], intensity: [0, 2, 2] },
  ]);
  await preprocessImzml(bad).then(
    () => assert.unreachable(),
    (e: Error) => assert.match(e.message, /fake\.ibd: spectrum 1: continuous data, but this m\/z axis \(3 points\)/),
  );
});

test('bad input: duplicate pixel, non-finite or negative intensities, bad options', async () => {
  const fails = async (f: ImzmlFile, opts: PreprocessOptions, re: RegExp) =>
    preprocessImzml(f, opts).then(
      () => assert.unreachable(`expected ${re}`),
      (e: Error) => assert.match(e.message, re),
    );
  await fails(fakeImzml('processed', 2, 2, [A, { ...B, x: 1 }]), {}, /spectrum 1: pixel \(1, 1\) already holds spectrum 0/);
  await fails(fakeImzml('processed', 2, 2, [A, { ...B, x: 3 }]), {}, /outside the 2 x 2 grid/);
  await fails(fakeImzml('processed', 2, 2, [A, { ...B, intensity: [NaN, 1] }]), {}, /spectrum 1: intensity NaN at m\/z 100\.001 is not finite/);
  await fails(fakeImzml('processed', 2, 2, [{ ...A, intensity: [1, -1, 2, 6] }]), { transform: 'sqrt' }, /negative intensity -1.*sqrt/);
  await fails(hand(), { topK: 0 }, /topK must be a positive integer/);
  await fails(hand(), { mzMin: 300, mzMax: 200 }, /mzMin \(300\) must be below mzMax/);
  await fails(hand(), { binWidth: -1 }, /bin width must be a positive number/);
  // An all-zero spectrum under TIC normalisation stays zero (no NaN).
  const z = await preprocessImzml(fakeImzml('processed', 2, 1, [A, { x: 2, y: 1, mz: [100.004], intensity: [0] }]), { topK: 3 });
  assert.ok(z.features.every(Number.isFinite));
  assert.equal(Array.from(z.features.subarray(3)), [0, 0, 0]);
});

test('binSpectrum: unsorted points give the same row as sorted ones', () => {
  const b = makeBinning(0.5, 'da', 10);
  const mz = [10.1, 11.2, 10.3, 12.9, 11.4], it = [1, 2, 3, 4, 5];
  const sorted = [0, 2, 1, 4, 3];
  const r1 = binSpectrum(mz, it, 1, b, -Infinity, Infinity, 'none');
  const r2 = binSpectrum(sorted.map((i) => mz[i]!), sorted.map((i) => it[i]!), 1, b, -Infinity, Infinity, 'none');
  // Bins: 10.1, 10.3 -> 0 (sum 4); 11.2, 11.4 -> 2 (sum 7); 12.9 -> 5 (4).
  assert.equal(Array.from(r1.bins), [0, 2, 5]);
  assert.equal(Array.from(r1.values), [4, 7, 4]);
  assert.equal(Array.from(r2.bins), Array.from(r1.bins));
  assert.equal(Array.from(r2.values), Array.from(r1.values));
  // The m/z range cuts at the exact values, not at bin edges: 11.4 shares bin 2 with 11.2 but
  // lies above mzMax = 11.3.
  const cut = binSpectrum(mz, it, 1, b, 10.2, 11.3, 'none');
  assert.equal(Array.from(cut.bins), [0, 2]);
  assert.equal(Array.from(cut.values), [3, 2]);
});

/** Naive reference: dense bins over the whole observed range, then statistics and top-K. */
function reference(list: FakeSpectrum[], W: number, H: number, width: number, topK: number, by: 'mean' | 'variance') {
  const binOf = (mz: number) => Math.floor(mz / width);
  const rows = new Map<number, Map<number, number>>();
  for (const s of list) {
    const tic = s.intensity.reduce((a, b) => a + b, 0);
    const row = new Map<number, number>();
    s.mz.forEach((m, k) => row.set(binOf(m), (row.get(binOf(m)) ?? 0) + (s.intensity[k]! * 1e6) / tic));
    for (const [b, v] of row) row.set(b, Math.fround(Math.sqrt(v)));
    rows.set((s.y - 1) * W + s.x - 1, row);
  }
  const pixels = [...rows.keys()].sort((a, b) => a - b);
  const bins = [...new Set([...rows.values()].flatMap((r) => [...r.keys()]))];
  const score = (b: number) => {
    const v = pixels.map((p) => rows.get(p)!.get(b) ?? 0);
    const mean = v.reduce((a, c) => a + c, 0) / v.length;
    return by === 'mean' ? mean : v.reduce((a, c) => a + c * c, 0) / v.length - mean * mean;
  };
  const chosen = bins
    .map((b) => ({ b, s: score(b) }))
    .sort((p, q) => q.s - p.s || p.b - q.b)
    .slice(0, topK)
    .map((c) => c.b)
    .sort((p, q) => p - q);
  const X = pixels.flatMap((p) => chosen.map((b) => rows.get(p)!.get(b) ?? 0));
  const mask = Array.from({ length: W * H }, (_, p) => (rows.has(p) ? 1 : 0));
  return { X, mask, chosen };
}

test('random processed data (shuffled spectrum order, missing pixels) matches a dense reference; cache-less two-pass run is identical', async () => {
  const r = rng(17);
  const W = 7, H = 5;
  const list: FakeSpectrum[] = [];
  const peaks = Array.from({ length: 30 }, () => 100 + r() * 900);
  for (let p = 0; p < W * H; p++) {
    if (r() < 0.15) continue; // missing pixel
    const mz: number[] = [], it: number[] = [];
    for (const m of peaks) if (r() < 0.6) {
      mz.push(m + (r() - 0.5) * 0.02);
      it.push(1 + r() * 100);
    }
    mz.push(100 + r() * 900); // a stray noise peak
    it.push(r() * 5);
    const ord = mz.map((m, i) => i).sort((a, b) => mz[a]! - mz[b]!);
    list.push({ x: (p % W) + 1, y: Math.floor(p / W) + 1, mz: ord.map((i) => mz[i]!), intensity: ord.map((i) => it[i]!) });
  }
  // Document order need not be grid order.
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  for (const by of ['mean', 'variance'] as const) {
    const ref = reference(list, W, H, 0.05, 20, by);
    const opts: PreprocessOptions = { transform: 'sqrt', binWidth: 0.05, topK: 20, select: by };
    const one = await preprocessImzml(fakeImzml('processed', W, H, list), opts);
    assert.equal(Array.from(one.mask), ref.mask);
    assertClose(one.mzValues, ref.chosen.map((b) => (b + 0.5) * 0.05), { rtol: 1e-12, absTol: 0 });
    // Same float32 rounding of each bin value; TIC-scaled sums may differ in the last bits
    // from summation order, hence a small relative tolerance.
    assertClose(one.features, ref.X, { rtol: 1e-6, absTol: 0, what: `features by ${by}` });
    const f2 = fakeImzml('processed', W, H, list);
    const two = await preprocessImzml(f2, { ...opts, cacheBytes: 0 });
    assert.is(one.passes, 1);
    assert.is(two.passes, 2);
    assert.is(f2.reads, list.length * 2);
    assert.equal(Array.from(two.features), Array.from(one.features), 'two-pass result is bit-identical');
  }
});

test('npyFeatureMatrix: shapes, and NaN/Inf named by file, row and column', () => {
  const m = npyFeatureMatrix(parseNpy(encodeNpy(new Float64Array([1, 2, 3, 4, 5, 6]), [3, 2])), 'a.npy');
  assert.equal([m.n, m.c, m.height, m.width], [3, 2, undefined, undefined]);
  assert.ok(m.x instanceof Float32Array);
  const cube = npyFeatureMatrix(parseNpy(encodeNpy(new Float32Array(2 * 3 * 4), [2, 3, 4])), 'c.npy');
  assert.equal([cube.n, cube.c, cube.height, cube.width], [6, 4, 2, 3]);
  const bad = new Float32Array(12);
  bad[7] = NaN; // row 3, column 1 of a [6, 2] matrix
  assert.throws(() => npyFeatureMatrix(parseNpy(encodeNpy(bad, [6, 2])), 'x.npy'), (e: Error) => e.name === 'NpyError' && e.message === 'x.npy: value NaN at row 3, column 1 is not finite');
  const badCube = new Float32Array(2 * 3 * 4);
  badCube[(1 * 3 + 2) * 4 + 3] = Infinity;
  assert.throws(() => npyFeatureMatrix(parseNpy(encodeNpy(badCube, [2, 3, 4])), 'c.npy'), /c\.npy: value Infinity at pixel \(y 1, x 2\), feature 3/);
  assert.throws(() => npyFeatureMatrix(parseNpy(encodeNpy(new Float64Array([1e300]), [1, 1])), 'o.npy'), /1e\+300 at row 0, column 0 overflows float32/);
  assert.throws(() => npyFeatureMatrix(parseNpy(encodeNpy(new Float32Array(16), [2, 2, 2, 2])), 'd.npy'), /expected a pixel x feature matrix/);
});

test('simulated data: selection by variance finds the region-specific peaks; file and in-memory inputs agree', async () => {
  for (const mode of ['processed', 'continuous'] as const) {
    const sim = simulateMsi({ seed: 3, width: 16, height: 14, mode, regions: 4, peaksPerRegion: 4, commonPeaks: 12, points: 1001 });
    const opts: PreprocessOptions = { topK: 16, select: 'variance', transform: 'sqrt' };
    const r = await preprocessImzml(simulatedImzml(sim), opts);
    assert.is(r.nPixels, 16 * 14);
    // Continuous features are axis points (several per peak); count the distinct peaks hit.
    const regionPeaks = sim.peaks.filter((p) => p.kind === 'region');
    const hit = new Set<number>();
    for (const m of r.mzValues) {
      const near = sim.peaks.find((p) => Math.abs(p.mz - m) < 1);
      assert.ok(near, `feature at m/z ${m} belongs to a peak`);
      if (near!.kind === 'region') hit.add(near!.mz);
    }
    if (mode === 'processed') assert.is(hit.size, 16, 'all 16 region-specific peaks chosen');
    else {
      // Measured: all 16 top-variance axis points lie on region peaks, 12 distinct peaks.
      assert.ok(hit.size >= 10, `${hit.size} distinct region peaks among the top-variance axis points`);
      assert.ok(Array.from(r.mzValues).every((m) => regionPeaks.some((p) => Math.abs(p.mz - m) < 1)), 'only region peaks');
    }
    // The same data through the imzML writer and reader gives the same matrix (float32 intensities).
    const dir = mkdtempSync(join(tmpdir(), 'pre-'));
    try {
      await writeSimulation(dir, sim);
      const f = await openImzml(join(dir, 'simulated.imzML'));
      try {
        const fromFile = await preprocessImzml(f, opts);
        assert.equal(Array.from(fromFile.mzValues), Array.from(r.mzValues));
        // Simulated intensities are integer counts, exact in float32: identical results.
        assert.equal(Array.from(fromFile.features), Array.from(r.features));
      } finally {
        await f.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

const SHARED = join(import.meta.dirname, '../../../shared/data/imzml');

test('shared imzML fixtures: every file preprocesses; raw TIC per pixel matches the independent reader', async () => {
  if (!existsSync(join(SHARED, 'expected.json'))) {
    console.log('  (skipped: ../shared/data/imzml is absent)');
    return;
  }
  const expected = JSON.parse(readFileSync(join(SHARED, 'expected.json'), 'utf8')) as Array<{
    file: string;
    spectra: Array<{ x: number; y: number; tic: number }>;
  }>;
  for (const e of expected) {
    const f = await openImzml(join(SHARED, e.file));
    try {
      const r = await preprocessImzml(f, { topK: 50, binWidth: 0.1 });
      assert.is(r.nPixels, e.spectra.length, e.file);
      assert.ok(r.features.every(Number.isFinite), `${e.file}: finite`);
      assert.ok(r.nFeatures >= 1 && r.nFeatures <= 50);
      const got = e.spectra.map((s) => r.tic[(s.y - 1) * r.width + s.x - 1]!);
      assertClose(got, e.spectra.map((s) => s.tic), { rtol: 1e-9, absTol: 0, what: `${e.file} TIC` });
      // TIC-normalised rows sum to at most 1e6 (features are a subset of the bins).
      for (let i = 0; i < r.nPixels; i++) {
        let sum = 0;
        for (let j = 0; j < r.nFeatures; j++) sum += r.features[i * r.nFeatures + j]!;
        assert.ok(sum <= 1e6 * (1 + 1e-5), `${e.file} row ${i} sums to ${sum}`);
      }
    } finally {
      await f.close();
    }
  }
});

test.run();
