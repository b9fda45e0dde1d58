// Restarts and consensus on the MSInet simulated benchmark (../shared/data/msinet-simulated):
// for each seed, one segment() with R restarts (restart r's seed is restartSeed(seed, r), so the
// first N restarts of this run are exactly what `--restarts N` trains). The labels of every
// restart are saved, and the consensus of the first N is scored for N = 1..R, so one run gives
// the table for every N. With --checkpoints, each restart's argmax labels at those iterations
// are saved too (what a smaller --max-iter would give, up to the final forward pass).
//
//   node --import tsx bench/restarts.ts [--seeds 0-9] [--restarts 5] [--max-iter 300] [--channels 100]
//        [--checkpoints 50,100,150] [--name restarts]
// Writes bench/results/NAME.json (scores) and scratch/NAME.labels.json (label maps, not committed).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEGMENT_DEFAULTS } from '../model/defaults.ts';
import { createEngine, describeAdapter } from '../engine/index.ts';
import { parseNpy, npyToFloat32 } from '../io/npy.ts';
import { consensusLabels } from '../model/consensus.ts';
import { adjustedRandIndex } from '../model/metrics.ts';
import { segment } from '../model/segment.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
function range(s: string): number[] {
  return s.split(',').flatMap((p) => {
    const m = /^(\d+)-(\d+)$/.exec(p);
    return m ? Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i) : [Number(p)];
  });
}

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
  const perN = [];
  for (let N = 1; N <= maps.length; N++) {
    const c = N === 1 ? null : consensusLabels(maps.slice(0, N), 4);
    const labels = c ? c.labels : maps[0]!;
    perN.push({
      restarts: N,
      ari: adjustedRandIndex(truth, labels),
      labels: new Set(labels).size,
      stability: c ? c.stability : 1,
      seconds: restartTimes.slice(0, N).reduce((a, b) => a + b, 0),
    });
  }
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
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
console.log(`\n${adapter}; ${seeds.length} seeds, max-iter ${maxIter}, channels ${channels}, ${((Date.now() - started) / 60000).toFixed(1)} min\n`);
console.log('| restarts | median ARI | worst ARI | median s |');
console.log('|---|---|---|---|');
for (let N = 1; N <= R; N++) {
  const p = rows.map((row) => (row as { perN: { ari: number; seconds: number }[] }).perN[N - 1]!);
  console.log(`| ${N} | ${median(p.map((q) => q.ari)).toFixed(4)} | ${Math.min(...p.map((q) => q.ari)).toFixed(4)} | ${median(p.map((q) => q.seconds)).toFixed(0)} |`);
}
