// Sparse acquisitions (issue 8 item 4): how should pixels without a spectrum take part in
// training? Each case is a `msinet simulate` image (io/simulator.ts, continuous spectra, its
// default noise) of which only part of the grid is "measured":
//   random  each pixel measured independently, exactly round(coverage * H * W) of them;
//   spots   discs on a square lattice (pitch 8 px, lattice offset from the seed), the radius
//           chosen so the discs cover the asked fraction (spots on a canvas, e.g. tissue cores);
// then segment() with the mask and each --sparse mode (model/sparse.ts). ARI is taken on the
// measured pixels only, against the simulator's truth. Image, mask and training share the seed.
//
//   node --import tsx bench/sparse.ts [--size 40] [--coverages 0.2,0.4,0.6] [--patterns random,spots]
//        [--modes zeros,exclude,fill,both] [--seeds 0-2] [--max-iter 80] [--restarts 1] [--channels 100] [--points 2001]
//        [--data features|spectra] [--feature-noise 0.15] [--noise 0.2] [--counts 200]
//        [--name sparse]
//   node --import tsx bench/sparse.ts --table [--name sparse[,other]]   (print the table of saved runs)
// Writes bench/results/NAME.json after every case (a long run can be stopped and still read).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createEngine, describeAdapter } from '../engine/index.ts';
import { Rng } from '../io/sim-random.ts';
import { simulateMsi } from '../io/simulator.ts';
import { adjustedRandIndex } from '../model/metrics.ts';
import { segment } from '../model/segment.ts';
import { SPARSE_MODES, type SparseMode } from '../model/sparse.ts';
import { arg, range, median } from './args.ts';

type Pattern = 'random' | 'spots';
interface Row {
  pattern: Pattern;
  coverage: number;
  /** The measured fraction actually drawn. */
  measured: number;
  mode: SparseMode;
  seed: number;
  ari: number;
  labels: number;
  iterations: number;
  seconds: number;
}

/** The simulator's mulberry32 stream for the masks (the seed offset keeps bench/results/sparse*.json reproducible). */
function mulberry(seed: number): () => number {
  const r = new Rng(seed ^ 0x9e3779b9);
  return () => r.next();
}

export function sparseMask(pattern: Pattern, coverage: number, height: number, width: number, seed: number): Uint8Array {
  const n = height * width;
  const rand = mulberry(seed * 7919 + (pattern === 'spots' ? 1 : 0));
  const mask = new Uint8Array(n);
  if (pattern === 'random') {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order.slice(0, Math.round(coverage * n))) mask[i] = 1;
    return mask;
  }
  const pitch = 8;
  const ox = rand() * pitch, oy = rand() * pitch;
  // Squared distance of each pixel to its nearest lattice centre; the radius is the coverage quantile.
  const d2 = new Float64Array(n);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const dx = ((((x - ox) % pitch) + pitch * 1.5) % pitch) - pitch / 2;
      const dy = ((((y - oy) % pitch) + pitch * 1.5) % pitch) - pitch / 2;
      d2[y * width + x] = dx * dx + dy * dy;
    }
  const sorted = Float64Array.from(d2).sort();
  const r2 = sorted[Math.max(0, Math.round(coverage * n) - 1)]!;
  for (let i = 0; i < n; i++) if (d2[i]! <= r2) mask[i] = 1;
  return mask;
}

function table(rows: Row[]): string {
  const modes = SPARSE_MODES.filter((m) => rows.some((r) => r.mode === m));
  const cases = [...new Set(rows.map((r) => `${r.pattern} ${r.coverage}`))];
  const lines = [`| pattern | coverage | ${modes.join(' | ')} |`, `|---|---|${modes.map(() => '---|').join('')}`];
  for (const c of cases) {
    const [pattern, coverage] = c.split(' ');
    const cells = modes.map((m) => {
      const r = rows.filter((x) => x.pattern === pattern && String(x.coverage) === coverage && x.mode === m);
      if (!r.length) return '-';
      const a = r.map((x) => x.ari);
      return `${median(a).toFixed(2)} / ${Math.min(...a).toFixed(2)} (${r.length})`;
    });
    lines.push(`| ${pattern} | ${Math.round(Number(coverage) * 100)}% | ${cells.join(' | ')} |`);
  }
  const all = modes.map((m) => {
    const a = rows.filter((x) => x.mode === m).map((x) => x.ari);
    return a.length ? `${median(a).toFixed(2)} / ${Math.min(...a).toFixed(2)} (${a.length})` : '-';
  });
  lines.push(`| all | | ${all.join(' | ')} |`);
  return `ARI on measured pixels, median / worst (runs)\n${lines.join('\n')}`;
}

const name = arg('name', 'sparse');
const resultFile = (n: string) => new URL(`./results/${n}.json`, import.meta.url).pathname;
const out = resultFile(name);
if (process.argv.includes('--table')) {
  // --name a,b: the rows of several saved runs in one table (e.g. more seeds run later).
  const rows = name.split(',').flatMap((n) => (JSON.parse(readFileSync(resultFile(n), 'utf8')) as { rows: Row[] }).rows);
  console.log(table(rows));
  process.exit(0);
}
const size = Number(arg('size', '40'));
const coverages = arg('coverages', '0.2,0.4,0.6').split(',').map(Number);
const patterns = arg('patterns', 'random,spots').split(',') as Pattern[];
const modes = arg('modes', SPARSE_MODES.join(',')).split(',') as SparseMode[];
for (const m of modes) if (!SPARSE_MODES.includes(m)) throw new Error(`unknown mode ${m}`);
const seeds = range(arg('seeds', '0-2'));
const maxIter = Number(arg('max-iter', '80'));
/** Feature channels of the network's 3x3 layers (the default 100 is ~10x slower on a CPU adapter). */
const netChannels = Number(arg('channels', '100'));
/** Trainings per segment() (the tables were measured with one, before the default became 3). */
const restarts = Number(arg('restarts', '1'));
/** Points of the simulated m/z axis (the simulator's default 2001). */
const points = Number(arg('points', '2001'));
/** The simulator's per-peak noise and ion counts (its defaults 0.2 and 200; counts 0 = no counting noise). */
const noise = Number(arg('noise', '0.2'));
const counts = Number(arg('counts', '200'));
/**
 * 'spectra': the simulated spectra themselves (PCA to 3 inside segment()). 'features': the
 * simulator's region map with 3 features per pixel, a fixed centre per region plus Gaussian noise
 * (sd --feature-noise), like the reference's 70 x 70 x 3 benchmark; the network then separates
 * the regions well at full coverage, so what changes with the mask is the sparse handling.
 */
const data = arg('data', 'features') as 'spectra' | 'features';
const featureNoise = Number(arg('feature-noise', '0.15'));
const CENTRES = [
  [0.2, 0.2, 0.8],
  [0.8, 0.2, 0.2],
  [0.2, 0.8, 0.2],
  [0.7, 0.7, 0.7],
  [0.5, 0.2, 0.5],
  [0.2, 0.5, 0.5],
];
const rt = await createEngine();
const adapter = describeAdapter(rt.ctx.report);
const rows: Row[] = [];
const started = Date.now();
for (const seed of seeds) {
  const sim = simulateMsi({ seed, width: size, height: size, points, noise, counts });
  let channels: number, features: Float32Array;
  if (data === 'spectra') {
    channels = sim.spectrum(0, 0).intensity.length;
    features = new Float32Array(size * size * channels);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) features.set(sim.spectrum(x, y).intensity, (y * size + x) * channels);
  } else {
    channels = 3;
    const rand = mulberry(seed * 31 + 5);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    features = Float32Array.from({ length: size * size * 3 }, (_, i) => CENTRES[sim.truth[Math.floor(i / 3)]! % CENTRES.length]![i % 3]! + featureNoise * gauss());
  }
  for (const pattern of patterns)
    for (const coverage of coverages) {
      const mask = sparseMask(pattern, coverage, size, size, seed);
      const kept = Array.from(mask.keys()).filter((i) => mask[i]);
      for (const mode of modes) {
        const t = performance.now();
        const r = await segment(rt, { features, height: size, width: size, channels, mask }, { seed, maxIter, channels: netChannels, restarts, sparse: mode });
        const ari = adjustedRandIndex(
          kept.map((i) => sim.truth[i]!),
          kept.map((i) => r.labels[i]!),
        );
        const row: Row = {
          pattern,
          coverage,
          measured: kept.length / (size * size),
          mode,
          seed,
          ari,
          labels: r.report.labels,
          iterations: r.report.iterations,
          seconds: (performance.now() - t) / 1000,
        };
        rows.push(row);
        console.log(JSON.stringify(row));
        mkdirSync(new URL('./results/', import.meta.url).pathname, { recursive: true });
        writeFileSync(
          out,
          JSON.stringify({ adapter, size, maxIter, restarts, channels: netChannels, points, noise, counts, coverages, patterns, modes, seeds, data, featureNoise, simulator: 'simulateMsi region map; spectra: continuous mode', elapsed: (Date.now() - started) / 1000, rows }, null, 1) + '\n',
        );
      }
    }
}
console.log(table(rows));
