import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { simulateIonStack, simulateMsi, gaussianBlur } from '../../io/simulator.ts';
import { writeIonStack, writeSimulation } from '../../io/simulator-node.ts';
import { openImzml } from '../../io/imzml/node.ts';
import { parseNpy } from '../../io/npy.ts';
import { Rng } from '../../io/sim-random.ts';
import { assertClose } from '../helpers.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'sim-'));

test('same seed, same image and spectra; another seed differs; pixels can be drawn in any order', () => {
  for (const mode of ['continuous', 'processed'] as const) {
    const o = { seed: 5, width: 13, height: 9, mode, points: 301 };
    const a = simulateMsi(o), b = simulateMsi(o), c = simulateMsi({ ...o, seed: 6 });
    assert.equal(Array.from(a.truth), Array.from(b.truth));
    assert.equal(a.peaks, b.peaks);
    const sa = [...a.spectra()], sb = [...b.spectra()];
    for (let i = 0; i < sa.length; i++) {
      assert.equal(Array.from(sa[i]!.intensity), Array.from(sb[i]!.intensity), `${mode} spectrum ${i}`);
      assert.equal(Array.from(sa[i]!.mz), Array.from(sb[i]!.mz));
    }
    assert.not.equal(Array.from(c.truth), Array.from(a.truth), 'another seed, another layout');
    // Pixel (7, 4) alone equals the one met while streaming (row-major index 4 * 13 + 7).
    const lone = simulateMsi(o).spectrum(7, 4);
    assert.equal(Array.from(lone.intensity), Array.from(sa[4 * 13 + 7]!.intensity));
    assert.equal([sa[4 * 13 + 7]!.x, sa[4 * 13 + 7]!.y], [8, 5], '1-based coordinates');
  }
});

test('every region is present with at least 40% of a fair share, for many seeds and sizes', () => {
  for (const [W, H, R] of [[64, 64, 4], [70, 70, 4], [20, 15, 6], [9, 7, 8], [40, 10, 3]] as const)
    for (let seed = 0; seed < 4; seed++) {
      const sim = simulateMsi({ seed, width: W, height: H, regions: R, points: 101, commonPeaks: 2, peaksPerRegion: 1 });
      const sizes = new Array<number>(R).fill(0);
      for (const l of sim.truth) sizes[l]!++;
      for (let r = 0; r < R; r++)
        assert.ok(sizes[r]! >= Math.floor((0.4 * W * H) / R), `${W}x${H} R=${R} seed ${seed}: region ${r} has ${sizes[r]} pixels`);
      const desc = sim.describe() as { regions: Array<{ pixels: number }> };
      assert.equal(desc.regions.map((r) => r.pixels), sizes);
    }
});

test('regions are irregular, not blocks: each 64x64 region has a long boundary', () => {
  const sim = simulateMsi({ seed: 1, points: 101 });
  const W = 64;
  // A square of area A has perimeter 4 sqrt(A); blobby regions with rough borders exceed it.
  for (let r = 0; r < 4; r++) {
    let area = 0, edges = 0;
    for (let p = 0; p < W * W; p++) {
      if (sim.truth[p] !== r) continue;
      area++;
      const x = p % W, y = Math.floor(p / W);
      if (x + 1 < W && sim.truth[p + 1] !== r) edges++;
      if (y + 1 < W && sim.truth[p + W] !== r) edges++;
      if (x > 0 && sim.truth[p - 1] !== r) edges++;
      if (y > 0 && sim.truth[p - W] !== r) edges++;
    }
    assert.ok(edges > 1.2 * 4 * Math.sqrt(area) * 0.5, `region ${r}: area ${area}, inner boundary ${edges}`);
  }
});

test('noise off: continuous profile is exactly the sum of Gaussian peaks of the pixel region', () => {
  const sim = simulateMsi({ seed: 2, width: 6, height: 5, noise: 0, counts: 0, drift: 0, points: 801, commonPeaks: 3, peaksPerRegion: 2 });
  const sigma = sim.options.peakSigma;
  assert.is(sigma, 0.375, 'default sigma');
  for (const [x, y] of [[0, 0], [5, 4], [2, 3]] as const) {
    const region = sim.truth[y * 6 + x]!;
    const s = sim.spectrum(x, y);
    const want = Array.from(sim.axis!, (m) => {
      let v = 0;
      for (const p of sim.peaks) if (Math.abs(m - p.mz) <= 5 * sigma) v += p.intensity[region]! * Math.exp(-((m - p.mz) ** 2) / (2 * sigma * sigma));
      return v;
    });
    assertClose(s.intensity, want, { rtol: 1e-12, absTol: 1e-12, what: `pixel ${x},${y}` });
  }
  // Region-specific peaks: full height in their region, 5-25 % elsewhere; common peaks within 15 %.
  for (const p of sim.peaks) {
    if (p.kind === 'region') {
      const own = p.intensity[p.region]!;
      p.intensity.forEach((v, r) => r !== p.region && assert.ok(v >= 0.05 * own - 1e-12 && v <= 0.25 * own + 1e-12, `peak ${p.mz}`));
    } else {
      const lo = Math.min(...p.intensity), hi = Math.max(...p.intensity);
      assert.ok(hi / lo <= 1.15 / 0.85 + 1e-12, `common peak ${p.mz}`);
    }
  }
});

test('drift: intensities scale from 1 - d at the top left to 1 + d at the bottom right', () => {
  const sim = simulateMsi({ seed: 3, width: 8, height: 6, regions: 1, noise: 0, counts: 0, drift: 0.3, mode: 'processed', noisePeaks: 0, massErrorPpm: 0 });
  const tl = sim.spectrum(0, 0).intensity, br = sim.spectrum(7, 5).intensity, mid = sim.spectrum(0, 5).intensity;
  for (let k = 0; k < tl.length; k++) {
    const h = sim.peaks[k]!.intensity[0]!;
    assertClose([tl[k]!, br[k]!, mid[k]!], [0.7 * h, 1.3 * h, h], { rtol: 1e-12, absTol: 0, what: `peak ${k}` });
  }
  assert.equal(Array.from(sim.spectrum(3, 2).mz), sim.peaks.map((p) => p.mz), 'no m/z error when massErrorPpm = 0');
});

test('noise statistics: Poisson counts have mean = variance = lambda; log-normal factor has sd sigma and mean 1', () => {
  // One region, no drift: every pixel draws the same peak heights.
  const W = 40, H = 40;
  const pois = simulateMsi({ seed: 4, width: W, height: H, regions: 1, noise: 0, counts: 50, drift: 0, mode: 'processed', noisePeaks: 0, commonPeaks: 3, peaksPerRegion: 0 });
  const logn = simulateMsi({ seed: 4, width: W, height: H, regions: 1, noise: 0.3, counts: 0, drift: 0, mode: 'processed', noisePeaks: 0, commonPeaks: 3, peaksPerRegion: 0 });
  for (let k = 0; k < 3; k++) {
    const lambda = pois.peaks[k]!.intensity[0]! * 50;
    const h = logn.peaks[k]!.intensity[0]!;
    const counts: number[] = [], logs: number[] = [], facs: number[] = [];
    for (let p = 0; p < W * H; p++) {
      const s = pois.spectrum(p % W, Math.floor(p / W));
      const i = s.mz.findIndex((m) => Math.abs(m - pois.peaks[k]!.mz) < 0.01);
      counts.push(i < 0 ? 0 : s.intensity[i]!);
      const f = logn.spectrum(p % W, Math.floor(p / W)).intensity[k]! / h;
      logs.push(Math.log(f));
      facs.push(f);
    }
    assert.ok(counts.every(Number.isInteger), 'counts are integers');
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const variance = counts.reduce((a, b) => a + (b - mean) ** 2, 0) / (counts.length - 1);
    // 1600 draws: the mean's sd is sqrt(lambda / 1600); the variance's relative sd ~ sqrt(2/1600) = 3.5 %.
    assert.ok(Math.abs(mean - lambda) < 4 * Math.sqrt(lambda / 1600), `peak ${k}: mean ${mean} vs lambda ${lambda}`);
    assert.ok(Math.abs(variance / lambda - 1) < 0.15, `peak ${k}: variance ${variance} vs lambda ${lambda}`);
    const lm = logs.reduce((a, b) => a + b, 0) / logs.length;
    const lsd = Math.sqrt(logs.reduce((a, b) => a + (b - lm) ** 2, 0) / (logs.length - 1));
    assert.ok(Math.abs(lsd - 0.3) < 0.03, `log sd ${lsd}`);
    assert.ok(Math.abs(facs.reduce((a, b) => a + b, 0) / facs.length - 1) < 0.03, 'mean factor 1');
  }
});

test('processed mode: centroids near the true m/z (ppm error), noise peaks in range, sorted', () => {
  const sim = simulateMsi({ seed: 8, width: 10, height: 10, mode: 'processed', massErrorPpm: 2 });
  let matched = 0;
  for (let p = 0; p < 100; p++) {
    const s = sim.spectrum(p % 10, Math.floor(p / 10));
    for (let i = 1; i < s.mz.length; i++) assert.ok(s.mz[i]! >= s.mz[i - 1]!, 'sorted');
    for (const m of s.mz) {
      assert.ok(m >= 100 && m <= 600);
      const near = sim.peaks.find((pk) => Math.abs(m - pk.mz) / pk.mz < 12e-6);
      if (near) matched++;
    }
  }
  // 28 peaks x 100 pixels, almost all detected at these counts (and all within 6 sd).
  assert.ok(matched > 0.97 * 2800, `matched ${matched}`);
});

test('baseline: a decaying offset at the low m/z end of continuous spectra', () => {
  const o = { seed: 9, width: 4, height: 4, noise: 0, counts: 0, drift: 0, points: 501 };
  const flat = simulateMsi(o).spectrum(1, 1).intensity, based = simulateMsi({ ...o, baseline: 0.5 }).spectrum(1, 1).intensity;
  // b(m) = 0.5 exp(-(m - 100) / 125): 0.5 at m/z 100, 0.5 e^-4 at 600.
  assertClose([based[0]! - flat[0]!, based[500]! - flat[500]!], [0.5, 0.5 * Math.exp(-4)], { rtol: 1e-9, absTol: 0 });
});

test('bad options are RangeErrors with a clear message', () => {
  assert.throws(() => simulateMsi({ regions: 0 }), /regions must be an integer in 1\.\.256/);
  assert.throws(() => simulateMsi({ width: 2, height: 2, regions: 5 }), /5 regions do not fit in 2 x 2/);
  assert.throws(() => simulateMsi({ peaksPerRegion: 200 }), /peaks do not fit between m\/z 100 and 600/);
  assert.throws(() => simulateMsi({ drift: 1 }), /drift must be a number/);
  assert.throws(() => simulateMsi({ mode: 'x' as 'processed' }), /mode must be continuous or processed/);
  assert.throws(() => simulateIonStack({ groups: 5, images: 6 }), /images must be an integer in 10/);
});

test('gaussianBlur preserves a constant image and its total on a periodic-free interior', () => {
  const c = gaussianBlur(new Float64Array(35).fill(2), 5, 7, 1.3);
  assertClose(c, new Array(35).fill(2), { rtol: 1e-12, absTol: 0 });
  const d = new Float64Array(21 * 21);
  d[10 * 21 + 10] = 1; // an impulse far from the edges spreads into the normalised kernel
  const b = gaussianBlur(d, 21, 21, 1.5);
  assertClose([b.reduce((s, v) => s + v, 0)], [1], { rtol: 1e-12, absTol: 0 });
  assert.ok(b[10 * 21 + 10]! > b[10 * 21 + 11]! && b[10 * 21 + 11]! > b[10 * 21 + 12]!);
});

test('Rng: uniform and normal moments', () => {
  const r = new Rng(123);
  let s = 0, s2 = 0, n = 20000, u = 0;
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
    u += r.next();
  }
  assert.ok(Math.abs(s / n) < 0.03 && Math.abs(s2 / n - 1) < 0.04, `normal mean ${s / n}, var ${s2 / n}`);
  assert.ok(Math.abs(u / n - 0.5) < 0.01);
});

test('ion stack at difficulty 0: shapes, balanced groups, images of a group correlate more than across groups', () => {
  const st = simulateIonStack({ seed: 1, width: 24, height: 20, groups: 3, images: 12, difficulty: 0 });
  assert.is(st.images.length, 12 * 24 * 20);
  assert.equal([...st.groups].sort(), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  for (let i = 1; i < 12; i++) assert.ok(st.mz[i]! >= st.mz[i - 1]!);
  const N = 480;
  const corr = (i: number, j: number) => {
    const a = st.images.subarray(i * N, (i + 1) * N), b = st.images.subarray(j * N, (j + 1) * N);
    const ma = a.reduce((s, v) => s + v, 0) / N, mb = b.reduce((s, v) => s + v, 0) / N;
    let sab = 0, saa = 0, sbb = 0;
    for (let p = 0; p < N; p++) {
      sab += (a[p]! - ma) * (b[p]! - mb);
      saa += (a[p]! - ma) ** 2;
      sbb += (b[p]! - mb) ** 2;
    }
    return sab / Math.sqrt(saa * sbb);
  };
  let within = 0, nw = 0, across = 0, na = 0;
  for (let i = 0; i < 12; i++)
    for (let j = i + 1; j < 12; j++) {
      if (st.groups[i] === st.groups[j]) {
        within += corr(i, j);
        nw++;
      } else {
        across += corr(i, j);
        na++;
      }
    }
  within /= nw;
  across /= na;
  // Measured: within ~0.9, across ~0.
  assert.ok(within > 0.7 && Math.abs(across) < 0.3, `within ${within.toFixed(3)}, across ${across.toFixed(3)}`);
  const again = simulateIonStack({ seed: 1, width: 24, height: 20, groups: 3, images: 12, difficulty: 0 });
  assert.equal(Array.from(again.images), Array.from(st.images), 'deterministic');
});

test('ion stack at the default difficulty: hot spots, missing pixels, overlap; groups still show after clipping', () => {
  const W = 32, H = 32, N = W * H, n = 18;
  const st = simulateIonStack({ seed: 2, width: W, height: H, groups: 3, images: n });
  const d = st.describe() as { options: Record<string, number>; images: Array<{ second: number; group: number; overlap: number }> };
  assert.is(d.options.difficulty, 1);
  assert.is(d.options.hotspots, 5);
  assert.ok(d.images.every((im) => im.second !== im.group && im.overlap >= 0 && im.overlap <= d.options.overlap!));
  let zeros = 0;
  const clipped = new Float64Array(n * N);
  for (let i = 0; i < n; i++) {
    const img = Array.from(st.images.subarray(i * N, (i + 1) * N));
    const sorted = [...img].sort((a, b) => a - b);
    const p99 = sorted[Math.floor(0.99 * (N - 1))]!;
    assert.ok(sorted[N - 1]! > 3 * p99, `image ${i}: a hot spot far above the 99th percentile`);
    zeros += img.filter((v) => v === 0).length;
    img.forEach((v, p) => (clipped[i * N + p] = Math.min(v, p99)));
  }
  assert.ok(zeros / (n * N) >= 0.02, `missing pixels: ${zeros / (n * N)}`);
  const corr = (i: number, j: number) => {
    let ma = 0, mb = 0;
    for (let p = 0; p < N; p++) (ma += clipped[i * N + p]! / N), (mb += clipped[j * N + p]! / N);
    let ab = 0, aa = 0, bb = 0;
    for (let p = 0; p < N; p++) {
      const a = clipped[i * N + p]! - ma, b = clipped[j * N + p]! - mb;
      (ab += a * b), (aa += a * a), (bb += b * b);
    }
    return ab / Math.sqrt(aa * bb);
  };
  let within = 0, nw = 0, across = 0, na = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (st.groups[i] === st.groups[j]) (within += corr(i, j)), nw++;
      else (across += corr(i, j)), na++;
  // Shared tissue structure: images of different groups correlate too, but less (measured
  // within 0.63, across 0.54 on this stack).
  assert.ok(within / nw > across / na + 0.05 && across / na > 0.2, `within ${(within / nw).toFixed(3)}, across ${(across / na).toFixed(3)}`);
  assert.throws(() => simulateIonStack({ difficulty: 4 }), /difficulty must be a number in \[0, 3\]/);
});

test('files: same seed writes the same bytes; the imzML reads back as the generator made it', async () => {
  const d1 = tmp(), d2 = tmp();
  try {
    for (const mode of ['continuous', 'processed'] as const) {
      const o = { seed: 11, width: 7, height: 5, mode, points: 201 };
      await writeSimulation(d1, simulateMsi(o));
      await writeSimulation(d2, simulateMsi(o));
      for (const f of ['simulated.imzML', 'simulated.ibd', 'truth.npy', 'truth.json', 'truth.png'])
        assert.ok(readFileSync(join(d1, f)).equals(readFileSync(join(d2, f))), `${mode}: ${f} identical`);
      const sim = simulateMsi(o);
      const truth = parseNpy(readFileSync(join(d1, 'truth.npy')));
      assert.equal(truth.shape, [5, 7]);
      assert.equal(Array.from(truth.data as Int32Array), Array.from(sim.truth));
      const json = JSON.parse(readFileSync(join(d1, 'truth.json'), 'utf8'));
      assert.is(json.peaks.length, sim.peaks.length);
      const f = await openImzml(join(d1, 'simulated.imzML'));
      try {
        assert.is(f.mode, mode);
        assert.equal([f.width, f.height, f.spectra.length], [7, 5, 35]);
        for (const i of [0, 17, 34]) {
          const s = await f.readSpectrum(i);
          const want = sim.spectrum(f.spectra[i]!.x - 1, f.spectra[i]!.y - 1);
          assert.equal(Array.from(s.mz), Array.from(want.mz), 'm/z as float64');
          assert.equal(Array.from(s.intensity), Array.from(Float32Array.from(want.intensity)), 'intensity as float32');
        }
      } finally {
        await f.close();
      }
    }
    const st = simulateIonStack({ seed: 2, width: 6, height: 4, groups: 2, images: 5 });
    await writeIonStack(d1, st);
    const imgs = parseNpy(readFileSync(join(d1, 'images.npy')));
    assert.equal([imgs.dtype, imgs.shape], ['f4', [5, 4, 6]]);
    assert.equal(Array.from(imgs.data as Float32Array), Array.from(st.images));
    const groups = parseNpy(readFileSync(join(d1, 'groups.npy')));
    assert.equal([groups.dtype, Array.from(groups.data as Int32Array)], ['i4', Array.from(st.groups)]);
    assert.is(parseNpy(readFileSync(join(d1, 'mz.npy'))).dtype, 'f8');
  } finally {
    rmSync(d1, { recursive: true, force: true });
    rmSync(d2, { recursive: true, force: true });
  }
});

test('cli: msinet simulate writes the files; a bad option is one line and exit code 1', async () => {
  const run = promisify(execFile);
  const dir = tmp();
  const main = join(import.meta.dirname, '../../cli/main.ts');
  try {
    await run(process.execPath, ['--import', 'tsx', main, 'simulate', '--out', dir, '--width', '6', '--height', '5', '--points', '51', '--seed', '3']);
    for (const f of ['simulated.imzML', 'simulated.ibd', 'truth.npy', 'truth.json', 'truth.png']) assert.ok(existsSync(join(dir, f)), f);
    await run(process.execPath, ['--import', 'tsx', main, 'simulate', '--out', dir, '--stack', '--width', '6', '--height', '5', '--images', '8']);
    assert.ok(existsSync(join(dir, 'images.npy')));
    const bad = await run(process.execPath, ['--import', 'tsx', main, 'simulate', '--out', dir, '--regions', 'many']).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    assert.ok(bad, 'should fail');
    assert.is(bad!.code, 1);
    assert.is(bad!.stderr, 'msinet: --regions must be an integer >= 1, got "many"\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
