// Restarts and consensus on the MSInet simulated benchmark (../shared/data/msinet-simulated):
// for each seed, one segment() with R restarts (restart r's seed is restartSeed(seed, r), so the
// first N restarts of this run are exactly what `--restarts N` trains). The labels of every
// restart are saved, and the consensus of the first N is scored for N = 1..R, so one run gives
// the table for every N. With --checkpoints, each restart's argmax labels at those iterations
// are saved too (what a smaller --max-iter would give, up to the final forward pass).
//
//   node --import tsx bench/restarts.ts [--seeds 0-9] [--restarts 5] [--max-iter 300] [--channels 100]
//        [--checkpoints 50,100,150] [--name restarts] [--rescore scratch/NAME.labels.json]
// Writes bench/results/NAME.json (scores) and scratch/NAME.labels.json (label maps, not committed).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEGMENT_DEFAULTS } from '../model/defaults.ts';
import { arg, median, range } from './args.ts';
import { createEngine, describeAdapter } from '../engine/index.ts';
import { parseNpy, npyToFloat32 } from '../io/npy.ts';
import { consensusLabels, medoidRestart } from '../model/consensus.ts';
import { minMaxScale } from '../model/features.ts';
import { refineLabels } from '../model/refine.ts';
import { adjustedRandIndex } from '../model/metrics.ts';
import { segment } from '../model/segment.ts';


const dataDir = new URL('../../shared/data/msinet-simulated/', import.meta.url).pathname;
if (!existsSync(join(dataDir, 'simulated.npy'))) {
  console.log(`skipped: ${dataDir} not found (the shared MSInet benchmark data is not on this machine)`);
  process.exit(0);
}
const seeds = range(arg('seeds', '0-9'));
const R = Number(arg('restarts', '5'));
const maxIter = Number(arg('max-iter', String(SEGMENT_DEFAULTS.maxIter)));
const channels = Number(arg('channels', '100'));
const checkpoints = arg('checkpoints', '').split(',').filter(Boolean).map(Number);
const name = arg('name', 'restarts');
const x = npyToFloat32(parseNpy(readFileSync(join(dataDir, 'simulated.npy')), 'simulated.npy'));
const truth = readFileSync(join(dataDir, 'groundtruth.txt'), 'utf8').trim().split(/\r?\n/).map((l) => Number(l.replace(/"/g, '')));

// The network input of this data (3 features, no reduction): per-feature min-max scaling.
const image = minMaxScale(x, 4900, 3).scaled;
const refine = SEGMENT_DEFAULTS.refine;

/**
 * For N = 1..R: the first N restarts combined as `--restarts N` would (consensus, then the
 * boundary refinement), and beside it the consensus alone, the refinement alone (N = 1), and
 * the simpler rule of keeping the restart that agrees most with the others (medoid).
 */
function scoreByN(maps: Int32Array[], seconds: number[]) {
  return maps.map((_, i) => {
    const N = i + 1;
    const c = N === 1 ? null : consensusLabels(maps.slice(0, N), 4);
    const cons = c ? c.labels : maps[0]!;
    const final = refine > 0 ? refineLabels(image, 3, cons, 70, 70, { beta: refine }).labels : cons;
    return {
      restarts: N,
      ari: adjustedRandIndex(truth, final),
      consensusOnly: adjustedRandIndex(truth, cons),
      medoid: adjustedRandIndex(truth, maps[medoidRestart(maps.slice(0, N))]!),
      labels: new Set(final).size,
      stability: c ? c.stability : 1,
      seconds: seconds.slice(0, N).reduce((a, b) => a + b, 0),
    };
  });
}

// --rescore FILE: recompute the scores from a saved labels file (scratch/NAME.labels.json) and
// the seconds from its results file, without training (for a change of consensus or refinement).
const rescore = arg('rescore', '');
if (rescore) {
  const saved = JSON.parse(readFileSync(rescore, 'utf8')) as Record<string, { final: number[][] }>;
  const old = JSON.parse(readFileSync(new URL(`results/${name}.json`, import.meta.url), 'utf8')) as { rows: { seed: number; restartSeconds: number[] }[]; maxIter: number; channels: number; adapter: string; R: number };
  const rows = old.rows.map((row) => ({ ...row, perN: scoreByN(saved[row.seed]!.final.map((m) => Int32Array.from(m)), row.restartSeconds) }));
  writeFileSync(new URL(`results/${name}.json`, import.meta.url), JSON.stringify({ ...old, name, rescored: new Date().toISOString(), refine, rows }, null, 1) + '\n');
  printTable(rows.map((r) => r.perN), old.R, `${old.adapter}; ${rows.length} seeds, max-iter ${old.maxIter}, channels ${old.channels}, refine ${refine} (rescored)`);
  process.exit(0);
}

const rt = await createEngine();
const adapter = describeAdapter(rt.ctx.report);
const rows: unknown[] = [];
const saved: Record<string, unknown> = {};
const started = Date.now();
for (const seed of seeds) {
  const atCheckpoint: Record<number, number[][]> = {};
  const restartTimes: number[] = [];
  let restartStart = performance.now();
  const r = await segment(rt, { features: x, height: 70, width: 70, channels: 3 }, {
    seed,
    restarts: R,
    maxIter,
    channels,
    truth,
    onProgress: (phase, info) => {
      if (phase !== 'train') return;
      if (info.iteration === 1 && info.restart! > 0) {
        restartTimes.push((performance.now() - restartStart) / 1000);
        restartStart = performance.now();
      }
      if (checkpoints.includes(info.iteration!)) {
        const slot = (atCheckpoint[info.iteration!] ??= []);
        const r = info.restart!;
        void info.readLabels!().then((l) => (slot[r] = Array.from(l)));
      }
    },
  });
  restartTimes.push((performance.now() - restartStart) / 1000);
  const maps = r.restartLabels;
  const perN = scoreByN(maps, restartTimes);
  const row = {
    seed,
    restarts: r.report.restarts,
    restartSeconds: restartTimes,
    perN,
    ari: r.report.ari,
    seconds: r.report.timings.total,
  };
  rows.push(row);
  saved[seed] = { final: maps.map((m) => Array.from(m)), checkpoints: atCheckpoint };
  console.error(
    `seed ${seed}: restarts ARI ${r.report.restarts.map((q) => q.ari!.toFixed(3)).join(' ')} | consensus by N ${perN.map((p) => p.ari.toFixed(3)).join(' ')} | ${r.report.timings.total.toFixed(0)} s`,
  );
  mkdirSync(new URL('results/', import.meta.url), { recursive: true });
  writeFileSync(new URL(`results/${name}.json`, import.meta.url), JSON.stringify({ name, date: new Date().toISOString(), adapter, maxIter, channels, R, rows }, null, 1) + '\n');
  mkdirSync(new URL('../scratch/', import.meta.url), { recursive: true });
  writeFileSync(new URL(`../scratch/${name}.labels.json`, import.meta.url), JSON.stringify(saved));
}
await rt.destroy();
printTable(rows.map((r) => (r as { perN: PerN[] }).perN), R, `${adapter}; ${seeds.length} seeds, max-iter ${maxIter}, channels ${channels}, refine ${refine}, ${((Date.now() - started) / 60000).toFixed(1)} min`);

type PerN = ReturnType<typeof scoreByN>[number];
function printTable(perSeed: PerN[][], R: number, title: string): void {
  const mw = (v: number[]) => `${median(v).toFixed(4)} / ${Math.min(...v).toFixed(4)}`;
  console.log(`\n${title}\n`);
  console.log('| restarts | ARI median / worst | consensus alone | medoid restart | stability median | seconds median |');
  console.log('|---|---|---|---|---|---|');
  for (let N = 1; N <= R; N++) {
    const p = perSeed.map((q) => q[N - 1]!);
    console.log(`| ${N} | ${mw(p.map((q) => q.ari))} | ${mw(p.map((q) => q.consensusOnly))} | ${mw(p.map((q) => q.medoid))} | ${median(p.map((q) => q.stability)).toFixed(3)} | ${median(p.map((q) => q.seconds)).toFixed(0)} |`);
  }
}
