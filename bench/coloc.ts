// Colocalization benchmark (issue 12): `msinet simulate --stack` stacks at the default
// difficulty, 6 groups x 12 images of 64 x 64, consecutive seeds from 0 (the stack's seed and
// the method's seed are the same). Per seed: ARI, NMI, purity and seconds of the contrastive
// result (after self-labelling), its spectral clustering before self-labelling, the embedding
// alone, both baselines (Pearson + average linkage, cosine of median-filtered images +
// spectral clustering) and, for reference, Pearson + spectral clustering. k is given (6), as the table compares partitions into the true
// number of groups; the eigengap's own pick is recorded per run.
//
//   node --import tsx bench/coloc.ts [--seeds 0,1,2] [--epochs N] [--side S] [--batch B]
//        [--self-label-epochs N] [--affinity combined|embedding] [--geometric] [--gamma G] [--lr X] [--temperature T]
//        [--difficulty X] [--name coloc]
// Writes bench/results/<name>.json (and the first seed's montage PNG) and prints a markdown table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createEngine, describeAdapter } from '../engine/index.ts';
import { simulateIonStack } from '../io/simulator.ts';
import { coloc, type ColocAffinity } from '../model/coloc/coloc.ts';
import { renderMontage } from '../io/montage.ts';
import { spectralCluster } from '../model/coloc/spectral.ts';
import { adjustedRandIndex, normalizedMutualInfo, purity } from '../model/metrics.ts';
import { arg } from './args.ts';

const seeds = arg('seeds', '0,1,2').split(',').map(Number);
const name = arg('name', 'coloc');
const numOpt = (n: string) => (process.argv.includes(`--${n}`) ? Number(arg(n, '')) : undefined);
const options = {
  epochs: numOpt('epochs'),
  side: numOpt('side'),
  batch: numOpt('batch'),
  selfLabelEpochs: numOpt('self-label-epochs'),
  temperature: numOpt('temperature'),
  lr: numOpt('lr'),
  gamma: numOpt('gamma'),
  geometric: process.argv.includes('--geometric') ? true : undefined,
  affinity: (process.argv.includes('--affinity') ? arg('affinity', 'combined') : undefined) as ColocAffinity | undefined,
};
const difficulty = numOpt('difficulty');

const rt = await createEngine();
const adapter = describeAdapter(rt.ctx.report);
// pearson-spectral is not one of the baselines: Pearson's r of the prepared images with
// the spectral clustering instead of average linkage, a reference for what a centred image
// similarity alone reaches on these stacks.
const methods = ['contrastive', 'spectral', 'embedding', 'cosine', 'pearson', 'pearson-spectral'] as const;
const rows: Array<Record<string, unknown>> = [];
for (const seed of seeds) {
  // The stack `msinet simulate --stack --regions 6 --images 72 --seed S` writes (its counts default is 200).
  const stack = simulateIonStack({ seed, groups: 6, images: 72, width: 64, height: 64, counts: 200, noise: 0.2, ...(difficulty !== undefined ? { difficulty } : {}) });
  const r = await coloc(rt, { images: stack.images, n: stack.n, height: 64, width: 64 }, {
    seed,
    k: 6,
    truth: stack.groups,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    onProgress: (phase, done, total, info) => {
      if (done > 0 && (done % 10 === 0 || done === total)) console.error(`  seed ${seed} ${phase} ${done}/${total} ${info ?? ''}`);
    },
  });
  if (seed === seeds[0]) {
    // The montage of the first seed's result, for the README.
    const captions = Array.from(stack.mz, (m) => m.toFixed(1));
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    writeFileSync(new URL(`./results/${name}_montage_seed${seed}.png`, import.meta.url), renderMontage(r.prepared, stack.n, 64, 64, r.clusters, captions, { thumb: 40 }));
  }
  const t = r.report.timings;
  const ps = spectralCluster(r.pearson, stack.n, { k: 6, seed }).labels;
  const s: Record<string, { ari: number; nmi: number; purity: number }> = { ...r.report.scores!, 'pearson-spectral': { ari: adjustedRandIndex(stack.groups, ps), nmi: normalizedMutualInfo(stack.groups, ps), purity: purity(stack.groups, ps) } };
  rows.push({ seed, scores: s, timings: t, eigengap: r.report.eigengap, selfLabel: r.report.selfLabel, lossPerEpoch: r.report.lossPerEpoch, parameters: r.report.parameters });
  console.error(
    `seed ${seed}: ` + methods.map((m) => `${m} ARI ${s[m]!.ari.toFixed(3)}`).join(', ') + `; ${t.total!.toFixed(1)} s (training ${t.training!.toFixed(1)} s)`,
  );
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const summary = Object.fromEntries(
  methods.map((m) => {
    const aris = rows.map((r) => (r.scores as Record<string, { ari: number }>)[m]!.ari);
    return [m, { medianAri: median(aris), worstAri: Math.min(...aris) }];
  }),
);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`./results/${name}.json`, import.meta.url), JSON.stringify({ adapter, date: new Date().toISOString(), options, difficulty: difficulty ?? 'default', rows, summary }, null, 1) + '\n');
console.log(`adapter: ${adapter}`);
console.log('| seed | method | ARI | NMI | purity | seconds |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  const s = r.scores as Record<string, { ari: number; nmi: number; purity: number }>;
  const t = r.timings as Record<string, number>;
  for (const m of methods) {
    // Seconds: the contrastive rows count everything but the baselines; the baselines their own phase (+ prepare, shared).
    const secs = m === 'cosine' || m === 'pearson' || m === 'pearson-spectral' ? t.prepare! + t.baselines! : t.total! - t.baselines!;
    console.log(`| ${r.seed} | ${m} | ${s[m]!.ari.toFixed(4)} | ${s[m]!.nmi.toFixed(4)} | ${s[m]!.purity.toFixed(4)} | ${secs.toFixed(1)} |`);
  }
}
for (const m of methods) console.log(`${m}: median ARI ${summary[m]!.medianAri.toFixed(4)}, worst ${summary[m]!.worstAri.toFixed(4)}`);
await rt.destroy();
