// Seconds per MSInet iteration against the network's width: for each --channels value, a fresh
// engine trains one restart on the shared benchmark (70 x 70, 3 features) for --iters
// iterations; the median over iterations after the first --skip (compiles, first allocations).
// The widths alternate over --rounds so a change in the machine's load hits each alike.
//
//   chrt -r 10 node --import tsx bench/width.ts [--channels 100,64] [--rounds 2] [--iters 16] [--skip 3] [--name width]
// Writes bench/results/NAME.json. Quality at each width: bench/restarts.ts --channels N.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arg, median } from './args.ts';
import { createEngine, describeAdapter } from '../engine/index.ts';
import { parseNpy, npyToFloat32 } from '../io/npy.ts';
import { minMaxScale } from '../model/features.ts';
import { segment } from '../model/segment.ts';

const file = new URL('../../shared/data/msinet-simulated/simulated.npy', import.meta.url).pathname;
if (!existsSync(file)) {
  console.log(`skipped: ${file} not found (the shared MSInet benchmark data is not on this machine)`);
  process.exit(0);
}
const widths = arg('channels', '100,64').split(',').map(Number);
const rounds = Number(arg('rounds', '2')), iters = Number(arg('iters', '16')), skip = Number(arg('skip', '3'));
const name = arg('name', 'width');
const x = minMaxScale(npyToFloat32(parseNpy(readFileSync(file), 'simulated.npy')), 4900, 3).scaled;
const runs: { channels: number; round: number; secondsPerIteration: number }[] = [];
let adapter = '';
for (let round = 0; round < rounds; round++)
  for (const channels of widths) {
    const rt = await createEngine();
    adapter = describeAdapter(rt.ctx.report);
    const gaps: number[] = [];
    let prev = 0;
    await segment(rt, { features: x, height: 70, width: 70, channels: 3 }, {
      seed: 0, maxIter: iters, restarts: 1, minLabels: 1, channels,
      onProgress: (phase, info) => {
        if (phase !== 'train' || !info.iteration) return;
        const now = performance.now();
        if (info.iteration > skip) gaps.push(now - prev);
        prev = now;
      },
    });
    await rt.destroy();
    runs.push({ channels, round, secondsPerIteration: median(gaps) / 1000 });
    console.error(`channels ${channels}, round ${round}: ${(median(gaps) / 1000).toFixed(3)} s / iteration`);
  }
const summary = widths.map((c) => ({ channels: c, secondsPerIteration: median(runs.filter((r) => r.channels === c).map((r) => r.secondsPerIteration)) }));
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`results/${name}.json`, import.meta.url), JSON.stringify({ name, date: new Date().toISOString(), adapter, iters, skip, runs, summary }, null, 1) + '\n');
console.log(`${adapter}\n| channels | s / iteration (median) |\n|---|---|\n${summary.map((s) => `| ${s.channels} | ${s.secondsPerIteration.toFixed(3)} |`).join('\n')}`);
