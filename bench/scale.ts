// Memory against image size: trains MSInet for a few iterations on simulated images of
// 128^2, 256^2 and 512^2 pixels (each size in its own process, so each has a fresh device) and
// records the GPU memory the engine holds (the buffer pool never destroys a buffer during a run,
// so its total is the peak it ever needed), the peak of the bytes in use at once, and the host's
// peak RSS. One training (--restarts 1): further restarts reuse the same buffers.
//
//   node --import tsx bench/scale.ts [--sides 128,256,512] [--iters 2] [--name scale]
// Writes bench/results/<name>.json and prints a table.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { arg } from './args.ts';

interface ScaleRow {
  side: number;
  pixels: number;
  ok: boolean;
  error?: string;
  iterations?: number;
  secondsPerIteration?: number;
  gpuBytes?: number;
  peakLiveBytes?: number;
  rssBytes?: number;
}

if (process.argv[2] === '--child') {
  // One size: simulate, segment, print a JSON row on the last line.
  const side = Number(process.argv[3]), iters = Number(process.argv[4]);
  const { createEngine } = await import('../engine/index.ts');
  const { simulateMsi } = await import('../io/simulator.ts');
  const { segment } = await import('../model/segment.ts');
  const points = 101;
  const sim = simulateMsi({ seed: 0, width: side, height: side, points });
  const features = new Float32Array(side * side * points);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) features.set(sim.spectrum(x, y).intensity, (y * side + x) * points);
  const rt = await createEngine();
  let rss = process.memoryUsage().rss;
  const row: ScaleRow = { side, pixels: side * side, ok: false };
  let firstAt = 0, lastAt = 0;
  try {
    const r = await segment(rt, { features, height: side, width: side, channels: points }, {
      seed: 0,
      maxIter: iters,
      restarts: 1,
      minLabels: 1,
      onProgress: (phase, info) => {
        rss = Math.max(rss, process.memoryUsage().rss);
        if (phase !== 'train') return;
        lastAt = performance.now();
        if (info.iteration === 1) firstAt = lastAt;
      },
    });
    Object.assign(row, { ok: true, iterations: r.report.iterations, secondsPerIteration: (lastAt - firstAt) / 1000 / Math.max(1, r.report.iterations - 1) });
  } catch (e) {
    row.error = (e as Error).message.split('\n')[0];
  }
  row.gpuBytes = rt.pool.bytesAllocated;
  row.peakLiveBytes = rt.pool.peakLiveBytes;
  row.rssBytes = Math.max(rss, process.memoryUsage().rss);
  await rt.destroy();
  console.log(JSON.stringify(row));
  process.exit(0);
}

const sides = arg('sides', '128,256,512').split(',').map(Number);
const iters = arg('iters', '2');
const name = arg('name', 'scale');
const rows: ScaleRow[] = [];
for (const side of sides) {
  process.stderr.write(`scale: ${side}x${side}...\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', String(side), iters], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    rows.push(JSON.parse(last) as ScaleRow);
  } catch {
    rows.push({ side, pixels: side * side, ok: false, error: `child exited ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}` });
  }
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`./results/${name}.json`, import.meta.url), JSON.stringify({ name, date: new Date().toISOString(), iterations: Number(iters), rows }, null, 1) + '\n');
const mb = (b?: number) => (b == null ? '' : (b / 2 ** 20).toFixed(0));
console.log('| image | pixels | GPU memory (MiB) | peak in use (MiB) | host peak RSS (MiB) | s / iteration | result |\n|---|---|---|---|---|---|---|');
for (const r of rows)
  console.log(`| ${r.side} x ${r.side} | ${r.pixels} | ${mb(r.gpuBytes)} | ${mb(r.peakLiveBytes)} | ${mb(r.rssBytes)} | ${r.secondsPerIteration?.toFixed(2) ?? ''} | ${r.ok ? 'trained' : r.error} |`);
