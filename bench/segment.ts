// End-to-end MSInet benchmark on the MSInet simulated image (../shared/data/msinet-simulated,
// 70 x 70 x 3, 4 regions): default options, several seeds, each superpixel method asked for.
// Reports ARI, NMI, iterations and seconds per run, and the median per method; each row also
// holds the scores of the other final-labels rule on the same run (report.otherFinalLabels).
//
//   node --import tsx bench/segment.ts [--seeds 0,1,2] [--superpixels felzenszwalb,slic] [--contrast patch]
//                                      [--max-iter 300] [--final-labels stop|forward] [--channels 100] [--name segment]
// Writes bench/results/segment.json and prints a markdown table.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEGMENT_DEFAULTS } from '../model/defaults.ts';
import { createEngine, describeAdapter } from '../engine/index.ts';
import { parseNpy, npyToFloat32 } from '../io/npy.ts';
import { segment } from '../model/segment.ts';
import { arg, median } from './args.ts';

const dataDir = new URL('../../shared/data/msinet-simulated/', import.meta.url).pathname;
if (!existsSync(join(dataDir, 'simulated.npy'))) {
  console.log(`skipped: ${dataDir} not found (the shared MSInet benchmark data is not on this machine)`);
  process.exit(0);
}
const seeds = arg('seeds', '0,1,2').split(',').map(Number);
const methods = arg('superpixels', 'felzenszwalb,slic').split(',') as Array<'felzenszwalb' | 'slic'>;
const contrast = arg('contrast', 'patch') as 'patch' | 'infonce';
const name = arg('name', 'segment');
const finalLabels = arg('final-labels', 'forward') as 'stop' | 'forward';
// Default 300 (the reference's maxIter); lower it to bound the run time on slow adapters.
const maxIter = Number(arg('max-iter', String(SEGMENT_DEFAULTS.maxIter)));
// Feature channels of the 3x3 layers (the reference's 100; the performance study tries 64).
const channels = Number(arg('channels', '100'));
const x = npyToFloat32(parseNpy(readFileSync(join(dataDir, 'simulated.npy')), 'simulated.npy'));
const truth = readFileSync(join(dataDir, 'groundtruth.txt'), 'utf8').trim().split(/\r?\n/).map((l) => Number(l.replace(/"/g, '')));

const rt = await createEngine();
const adapter = describeAdapter(rt.ctx.report);
interface Row {
  superpixels: string;
  seed: number;
  ari: number;
  nmi: number;
  iterations: number;
  seconds: number;
  labels: number;
  other: { rule: string; labels: number; ari: number; nmi: number };
}
const rows: Row[] = [];
for (const superpixels of methods)
  for (const seed of seeds) {
    const r = await segment(rt, { features: x, height: 70, width: 70, channels: 3 }, {
      seed,
      superpixels,
      contrast,
      truth,
      maxIter,
      finalLabels,
      channels,
      onProgress: (phase, info) => {
        if (phase === 'train' && info.iteration! % 10 === 0) console.error(`  ${superpixels} seed ${seed}: iteration ${info.iteration}, ${info.labels} labels, loss ${info.loss!.toFixed(4)}`);
      },
    });
    const row = { superpixels, seed, ari: r.report.ari!, nmi: r.report.nmi!, iterations: r.report.iterations, seconds: r.report.timings.total, labels: r.report.labels, other: r.report.otherFinalLabels! };
    rows.push(row);
    const o = row.other;
    console.error(
      `${superpixels} seed ${seed}: ARI ${row.ari.toFixed(4)} NMI ${row.nmi.toFixed(4)} ${row.labels} labels ${row.iterations} it ${row.seconds.toFixed(1)} s` +
        ` (final rule '${o.rule}' would give ARI ${o.ari.toFixed(4)} NMI ${o.nmi.toFixed(4)}, ${o.labels} labels)`,
    );
  }
await rt.destroy();

const summary = methods.map((m) => {
  const rs = rows.filter((r) => r.superpixels === m);
  return {
    superpixels: m,
    medianAri: median(rs.map((r) => r.ari)),
    medianNmi: median(rs.map((r) => r.nmi)),
    medianSeconds: median(rs.map((r) => r.seconds)),
    other: { rule: rs[0]?.other.rule, medianAri: median(rs.map((r) => r.other.ari)), medianNmi: median(rs.map((r) => r.other.nmi)) },
  };
});
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`./results/${name}.json`, import.meta.url), JSON.stringify({ name, date: new Date().toISOString(), adapter, contrast, maxIter, finalLabels, channels, rows, summary }, null, 2) + '\n');
console.log(`adapter: ${adapter}\n`);
const otherRule = rows[0]?.other.rule ?? '';
console.log(`| superpixels | seed | ARI | NMI | labels | iterations | seconds | '${otherRule}' rule ARI / NMI / labels |\n|---|---|---|---|---|---|---|---|`);
for (const r of rows)
  console.log(
    `| ${r.superpixels} | ${r.seed} | ${r.ari.toFixed(4)} | ${r.nmi.toFixed(4)} | ${r.labels} | ${r.iterations} | ${r.seconds.toFixed(1)} | ${r.other.ari.toFixed(4)} / ${r.other.nmi.toFixed(4)} / ${r.other.labels} |`,
  );
for (const s of summary)
  console.log(`| ${s.superpixels} | median | ${s.medianAri.toFixed(4)} | ${s.medianNmi.toFixed(4)} | | | ${s.medianSeconds.toFixed(1)} | ${s.other.medianAri.toFixed(4)} / ${s.other.medianNmi.toFixed(4)} |`);
