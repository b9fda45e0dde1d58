// Which preprocessing of spectra gives the best segmentation? On `msinet simulate` images
// (written as imzML and read back through the CLI's own path), each variant of the
// preprocessing (normalisation, sqrt, PCA components fed to the network, feature selection,
// binning) is scored two ways:
//   - screen: k-means (k = the simulated regions, 10 k-means++ restarts) on the network's input
//     features, ARI against the truth; cheap, so every variant, seed, size and mode is covered;
//   - msinet (with --msinet): segment() itself with the given --restarts / --max-iter, ARI.
//
//   node --import tsx bench/preprocess.ts [--seeds 0-4] [--sizes 64,128] [--modes continuous,processed]
//        [--noise 0.2] [--counts 200] [--variants baseline,sqrt,...] [--msinet] [--restarts 1] [--max-iter 100] [--name preprocess]
// Writes bench/results/NAME.json and prints a table of median / worst ARI per variant.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInput } from '../cli/segment-input.ts';
import { SEGMENT_PREPROCESS_DEFAULTS } from '../io/preprocess-defaults.ts';
import { SEGMENT_DEFAULTS } from '../model/defaults.ts';
import { arg, median, range } from './args.ts';
import { createEngine, describeAdapter } from '../engine/index.ts';
import { Random } from '../engine/random.ts';
import type { PreprocessOptions } from '../io/preprocess.ts';
import { simulateMsi } from '../io/simulator.ts';
import { writeSimulation } from '../io/simulator-node.ts';
import { kmeans } from '../model/coloc/kmeans.ts';
import { adjustedRandIndex } from '../model/metrics.ts';
import { networkInput, segment, type SegmentOptions } from '../model/segment.ts';


interface Variant {
  pre: PreprocessOptions;
  model: SegmentOptions;
}
// The baseline is the CLI's imzML preprocessing before this benchmark chose the square root; each
// other variant changes one thing. 'defaults' is what `msinet segment` does now (= 'sqrt').
const BASE: PreprocessOptions = { normalize: 'tic', transform: 'none', binWidth: 0.01, binUnit: 'da', topK: 500, select: 'variance' };
const VARIANTS: Record<string, Variant> = {
  defaults: { pre: { ...SEGMENT_PREPROCESS_DEFAULTS }, model: { components: 3 } },
  baseline: { pre: BASE, model: { components: 3 } },
  'no-tic': { pre: { ...BASE, normalize: 'none' }, model: { components: 3 } },
  rms: { pre: { ...BASE, normalize: 'rms' }, model: { components: 3 } },
  sqrt: { pre: { ...BASE, transform: 'sqrt' }, model: { components: 3 } },
  'pca-5': { pre: BASE, model: { components: 5 } },
  'pca-10': { pre: BASE, model: { components: 10 } },
  'sqrt-pca-5': { pre: { ...BASE, transform: 'sqrt' }, model: { components: 5 } },
  'select-mean': { pre: { ...BASE, select: 'mean' }, model: { components: 3 } },
  'top-100': { pre: { ...BASE, topK: 100 }, model: { components: 3 } },
  'bin-0.05': { pre: { ...BASE, binWidth: 0.05 }, model: { components: 3 } },
  // Not preprocessing: the network's width (the performance issue's 64-channel question), same input.
  'channels-64': { pre: BASE, model: { components: 3, channels: 64 } },
};

const seeds = range(arg('seeds', '0-4'));
const sizes = range(arg('sizes', '64'));
const modes = arg('modes', 'continuous,processed').split(',') as Array<'continuous' | 'processed'>;
const noise = Number(arg('noise', '0.2'));
// Harder images than the simulator's defaults: fewer ions per peak (more counting noise).
const counts = Number(arg('counts', '200'));
const names = arg('variants', Object.keys(VARIANTS).join(',')).split(',');
const withMsinet = process.argv.includes('--msinet');
const restarts = Number(arg('restarts', String(SEGMENT_DEFAULTS.restarts)));
const maxIter = Number(arg('max-iter', String(SEGMENT_DEFAULTS.maxIter)));
const name = arg('name', 'preprocess');
for (const v of names) if (!VARIANTS[v]) throw new Error(`unknown variant ${v}; known: ${Object.keys(VARIANTS).join(', ')}`);

const rt = await createEngine();
const adapter = describeAdapter(rt.ctx.report);
const rows: { size: number; mode: string; seed: number; variant: string; screen: number; msinet?: number; seconds?: number }[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'msinet-preprocess-'));
try {
  for (const size of sizes)
    for (const mode of modes)
      for (const seed of seeds) {
        const sim = simulateMsi({ seed, width: size, height: size, mode, noise, counts });
        const dir = join(tmp, `${size}-${mode}-${seed}`);
        await writeSimulation(dir, sim);
        const regions = new Set(sim.truth).size;
        for (const variant of names) {
          const { pre, model } = VARIANTS[variant]!;
          if (mode === 'continuous' && variant.startsWith('bin-')) continue; // continuous data keeps its own axis
          const loaded = await loadInput(join(dir, 'simulated.imzML'), null, pre);
          const net = await networkInput(rt, loaded.input, model);
          const km = kmeans(Float64Array.from(net.image), size * size, net.k, regions, { restarts: 10, random: new Random(seed) });
          const row: (typeof rows)[number] = { size, mode, seed, variant, screen: adjustedRandIndex(sim.truth, km.labels) };
          if (withMsinet) {
            const r = await segment(rt, loaded.input, { ...model, seed, restarts, maxIter, truth: sim.truth });
            row.msinet = r.report.ari!;
            row.seconds = r.report.timings.total;
          }
          rows.push(row);
          console.error(`${size} ${mode} seed ${seed} ${variant}: screen ARI ${row.screen.toFixed(3)}${row.msinet !== undefined ? `, MSInet ARI ${row.msinet.toFixed(3)} (${row.seconds!.toFixed(0)} s)` : ''}`);
        }
        mkdirSync(new URL('results/', import.meta.url), { recursive: true });
        writeFileSync(
          new URL(`results/${name}.json`, import.meta.url),
          JSON.stringify({ name, date: new Date().toISOString(), adapter, noise, counts, restarts, maxIter, variants: Object.fromEntries(names.map((v) => [v, VARIANTS[v]])), rows }, null, 1) + '\n',
        );
      }
} finally {
  rmSync(tmp, { recursive: true, force: true });
  await rt.destroy();
}

console.log(`\n${adapter}; noise ${noise}, counts ${counts}; seeds ${seeds.join(',')}\n`);
console.log(`| variant | size | mode | screen median | screen worst |${withMsinet ? ' MSInet median | MSInet worst |' : ''}`);
console.log(`|---|---|---|---|---|${withMsinet ? '---|---|' : ''}`);
for (const variant of names)
  for (const size of sizes)
    for (const mode of modes) {
      const r = rows.filter((q) => q.variant === variant && q.size === size && q.mode === mode);
      if (!r.length) continue;
      const s = r.map((q) => q.screen), m = r.map((q) => q.msinet!).filter((v) => v !== undefined);
      console.log(
        `| ${variant} | ${size} | ${mode} | ${median(s).toFixed(3)} | ${Math.min(...s).toFixed(3)} |${m.length ? ` ${median(m).toFixed(3)} | ${Math.min(...m).toFixed(3)} |` : ''}`,
      );
    }
