// Benchmark of the superpixel stage: SLIC (GPU loop + CPU connectivity), Felzenszwalb (CPU)
// and the refinement majority vote (GPU), on a 70x70x3 image (the simulated MSI size) and a
// 256x256x3 one. Images: four colour regions plus uniform noise, values in [0, 1].
// Pipelines are compiled by a warm-up run; each timing is the median of `reps` runs.
//
//   node --import tsx bench/superpixels.ts [--name superpixels] [--reps 5]
// Writes bench/results/<name>.json and prints a table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createEngine, describeAdapter, segmentIndex, segmentMajority, type Runtime } from '../engine/index.ts';
import { felzenszwalb } from '../model/superpixels/felzenszwalb.ts';
import { slic } from '../model/superpixels/slic.ts';
import { arg } from './args.ts';

const name = arg('name', 'superpixels');
const reps = Number(arg('reps', '5'));

function testImage(h: number, w: number): Float32Array {
  let s = 12345;
  const img = new Float32Array(h * w * 3);
  const colours = [[0.1, 0.1, 0.1], [0.9, 0.2, 0.2], [0.2, 0.8, 0.3], [0.3, 0.3, 0.9]];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const r = (x - 0.6 * w) ** 2 + (y - 0.35 * h) ** 2 < (0.2 * w) ** 2 ? 1 : Math.abs(x - y) < 0.1 * w ? 2 : x < w / 3 ? 3 : 0;
      for (let ch = 0; ch < 3; ch++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        img[(y * w + x) * 3 + ch] = colours[r]![ch]! + 0.1 * (s / 2 ** 32 - 0.5);
      }
    }
  return img;
}

/**
 * Median wall time and median process CPU time (user + system, all threads: lavapipe's
 * workers included) in ms. On a shared, loaded machine wall time inflates; CPU time less so.
 */
async function median(fn: () => Promise<unknown> | unknown): Promise<{ wall: number; cpu: number }> {
  await fn(); // warm-up: pipeline compilation, buffer pool
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  const mid = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  return { wall: mid(wall), cpu: mid(cpu) };
}

interface Row {
  task: string;
  size: string;
  ms: number;
  cpuMs: number;
  segments: number;
}

async function run(rt: Runtime): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [h, w] of [[70, 70], [256, 256]] as const) {
    const img = testImage(h, w);
    const size = `${h}x${w}x3`;
    let k = 0;
    const slicMs = await median(async () => (k = (await slic(rt, img, h, w, { nSegments: 500, compactness: 0.1 })).count));
    rows.push({ task: 'slic (500 segments, 10 iterations)', size, ms: slicMs.wall, cpuMs: slicMs.cpu, segments: k });
    const sp = await slic(rt, img, h, w, { nSegments: 500, compactness: 0.1 });
    const fzMs = await median(() => (k = felzenszwalb(img, h, w, { scale: 3, sigma: 0.8, minSize: 9 }).count));
    rows.push({ task: 'felzenszwalb (scale 3, sigma 0.8, min 9)', size, ms: fzMs.wall, cpuMs: fzMs.cpu, segments: k });
    const index = segmentIndex(rt, sp.labels, sp.count);
    const labels = rt.keep(rt.fromData(Int32Array.from({ length: h * w }, (_, i) => (i * 7919) % 100), [h * w], 'i32'));
    const out = rt.keep(rt.empty([h * w], 'i32'));
    // Per-call cost of the refinement alone: 20 dispatches into one encoder, then a sync.
    const refMs = await median(async () => {
      for (let i = 0; i < 20; i++) segmentMajority(labels, index, 100, out);
      await rt.sync();
    });
    rows.push({ task: 'refine (q = 100), per call', size, ms: refMs.wall / 20, cpuMs: refMs.cpu / 20, segments: sp.count });
    index.dispose();
    labels.dispose();
    out.dispose();
  }
  return rows;
}

const rt = await createEngine();
try {
  const rows = await run(rt);
  const adapter = describeAdapter(rt.ctx.report);
  const file = join(import.meta.dirname, 'results', `${name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), adapter, reps, rows }, null, 2));
  console.log('task'.padEnd(42) + 'size'.padEnd(12) + 'wall ms'.padStart(10) + 'cpu ms'.padStart(10) + 'segments'.padStart(10));
  for (const r of rows)
    console.log(r.task.padEnd(42) + r.size.padEnd(12) + r.ms.toFixed(2).padStart(10) + r.cpuMs.toFixed(2).padStart(10) + String(r.segments).padStart(10));
  console.log(`wrote ${file}`);
} finally {
  await rt.destroy();
}
