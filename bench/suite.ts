// `npm run bench`: the benchmark suite. Kernel rows (bench/kernel_cases.ts) are timed with the
// `benchmark` package (deferred: one run = record the dispatches, submit, wait for the GPU),
// end-to-end rows run MSInet itself. Prints one table; with --json FILE also writes
//   { adapter, date, results: [{ name, ms, gflops, gbps, cpuMs }] }
// where ms is the mean wall time of one run, cpuMs this process's CPU time per run (lavapipe
// runs inside the process, so on a machine shared with other jobs it is the steadier figure),
// gflops / gbps the work of the row (see kernel_cases.ts) per wall second.
//
//   npm run bench -- [--filter WORD] [--json FILE] [--compare FILE] [--full] [--e2e-iters N]
// --filter keeps rows whose name contains WORD; --compare prints each row's speed-up against an
// earlier JSON file (its ms / this ms); --full runs the 256x256 simulated image to its final
// labels (tens of minutes on a CPU adapter) instead of --e2e-iters iterations (default 5).
import Benchmark from 'benchmark';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createEngine, describeAdapter, type Runtime } from '../engine/index.ts';
import { npyToFloat32, parseNpy } from '../io/npy.ts';
import { simulateMsi } from '../io/simulator.ts';
import { SEGMENT_DEFAULTS } from '../model/defaults.ts';
import { segment } from '../model/segment.ts';
import { kernelCases } from './kernel_cases.ts';

export interface ResultRow {
  name: string;
  /** null when the row could not run on this adapter (see error). */
  ms: number | null;
  error?: string;
  gflops: number | null;
  gbps: number | null;
  cpuMs: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const filter = arg('filter');
const jsonOut = arg('json');
const compareFile = arg('compare');
const full = process.argv.includes('--full');
const e2eIters = Number(arg('e2e-iters') ?? 5);
const wanted = (name: string) => !filter || name.includes(filter);
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// Kernel rows share one engine; each end-to-end row gets a fresh one (as a user's run does:
// after the kernel rows' buffers and pipelines, the same training ran ~1.5x slower).
let rt = await createEngine();
const rows: ResultRow[] = [];

async function timeKernel(rt: Runtime, name: string, run: () => void, work: { flops?: number; bytes?: number }): Promise<void> {
  // Warm-up outside the timing: pipeline compiles, buffer pool.
  rt.scope(run);
  await rt.sync();
  let runs = 0, cpu = 0;
  const bench = new Benchmark(name, {
    defer: true,
    minSamples: 3,
    maxTime: 2,
    initCount: 1,
    fn: (deferred: { resolve(): void }) => {
      const c0 = cpuNow();
      rt.scope(run);
      void rt.sync().then(() => {
        cpu += cpuNow() - c0;
        runs++;
        deferred.resolve();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    bench.on('complete', () => resolve());
    bench.on('error', () => reject((bench as unknown as { error: Error }).error));
    bench.run({ async: true });
  });
  const ms = bench.stats.mean * 1000;
  rows.push({ name, ms, gflops: work.flops ? work.flops / ms / 1e6 : null, gbps: work.bytes ? work.bytes / ms / 1e6 : null, cpuMs: cpu / Math.max(1, runs) });
  process.stderr.write(`  ${name}: ${ms.toFixed(1)} ms\n`);
}

for (const c of kernelCases()) {
  if (!wanted(c.name)) continue;
  try {
    await rt.scopeAsync(async () => timeKernel(rt, c.name, c.make(rt), c));
  } catch (e) {
    // e.g. a buffer over this adapter's binding limit: the row says so instead of a figure.
    const error = (e as Error).message.split('\n')[0]!;
    rows.push({ name: c.name, ms: null, error, gflops: null, gbps: null, cpuMs: 0 });
    process.stderr.write(`  ${c.name}: ${error}\n`);
  }
}

const adapter = rt.ctx.report;

/** One segment() run on a fresh engine: ms per iteration, to the end of the first iteration, and in total. */
async function endToEnd(label: string, input: { features: Float32Array; height: number; width: number; channels: number }, maxIter: number, capped: boolean) {
  const names = [`msinet iteration ${label}`, `msinet first iteration ${label}`, `msinet total ${label}${capped ? ` (${maxIter} iterations)` : ''}`];
  if (!names.some(wanted)) return;
  await rt.destroy();
  rt = await createEngine();
  const t0 = performance.now(), c0 = cpuNow();
  // With restarts every restart has an iteration 1: only the run's very first counts as first,
  // and the steady rate sums the gaps between consecutive iterations of one restart.
  let first = 0, firstCpu = 0, prevAt = 0, steadyMs = 0, steadyCpu = 0, steadyN = 0, prevCpu = 0;
  let r: Awaited<ReturnType<typeof segment>>;
  try {
    r = await segment(rt, input, {
    seed: 0,
    maxIter,
    onProgress: (phase, info) => {
      if (phase !== 'train' || info.iteration === undefined) return;
      const now = performance.now(), cpu = cpuNow();
      if (info.iteration === 1 && !first) {
        first = now - t0;
        firstCpu = cpu - c0;
      } else if (info.iteration > 1) {
        steadyMs += now - prevAt;
        steadyCpu += cpu - prevCpu;
        steadyN++;
      }
      prevAt = now;
      prevCpu = cpu;
      if (info.iteration! % 10 === 0) process.stderr.write(`  ${label}: iteration ${info.iteration}, ${info.labels} labels\n`);
    },
  });
  } catch (e) {
    const error = (e as Error).message.split('\n')[0]!;
    for (const name of names) if (wanted(name)) rows.push({ name, ms: null, error, gflops: null, gbps: null, cpuMs: 0 });
    process.stderr.write(`  ${label}: ${error}\n`);
    return;
  }
  const total = performance.now() - t0, totalCpu = cpuNow() - c0;
  const iters = r.report.iterations;
  // Steady state: iterations after the first of each restart (compiles, first allocations).
  const perIter = steadyMs / Math.max(1, steadyN);
  const add = (name: string, ms: number, cpuMs: number) => wanted(name) && rows.push({ name, ms, gflops: null, gbps: null, cpuMs });
  add(names[0]!, perIter, steadyCpu / Math.max(1, steadyN));
  add(names[1]!, first, firstCpu);
  add(names[2]!, total, totalCpu);
  process.stderr.write(`  ${label}: ${iters} iterations, ${r.report.labels} labels, ${(total / 1000).toFixed(1)} s\n`);
}

const shared = new URL('../../shared/data/msinet-simulated/simulated.npy', import.meta.url).pathname;
if (existsSync(shared)) {
  const x = npyToFloat32(parseNpy(readFileSync(shared), 'simulated.npy'));
  // Every default (restarts, iterations per restart), as `msinet segment` runs it.
  await endToEnd('70x70 (shared benchmark)', { features: x, height: 70, width: 70, channels: 3 }, SEGMENT_DEFAULTS.maxIter, false);
} else process.stderr.write(`skipped the shared-benchmark rows: ${shared} not found\n`);

{
  // A 256 x 256 continuous image from the project's simulator, 201 m/z points per spectrum
  // (reduced to 3 PCA components by segment(), as the CLI does).
  const side = 256;
  const sim = simulateMsi({ seed: 0, width: side, height: side, points: 201 });
  const features = new Float32Array(side * side * 201);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) features.set(sim.spectrum(x, y).intensity, (y * side + x) * 201);
  await endToEnd('256x256 (simulated)', { features, height: side, width: side, channels: 201 }, full ? 300 : e2eIters, !full);
}

await rt.destroy();

let earlier: Map<string, number> | null = null;
if (compareFile) {
  const old = JSON.parse(readFileSync(compareFile, 'utf8')) as { results: ResultRow[] };
  earlier = new Map(old.results.filter((r) => r.ms != null).map((r) => [r.name, r.ms!]));
}
const fmt = (v: number | null, d: number) => (v == null ? '' : v.toFixed(d));
console.log(`\nadapter: ${describeAdapter(adapter)}`);
console.log(`| benchmark | ms | GFLOP/s | GB/s | CPU ms |${earlier ? ' speed-up |' : ''}`);
console.log(`|---|---|---|---|---|${earlier ? '---|' : ''}`);
for (const r of rows) {
  const before = earlier?.get(r.name);
  const ratio = earlier ? ` ${before && r.ms ? (before / r.ms).toFixed(2) + 'x' : r.ms ? 'new' : ''} |` : '';
  if (r.ms == null) console.log(`| ${r.name} | not run: ${r.error} | | | |${ratio}`);
  else console.log(`| ${r.name} | ${fmt(r.ms, 1)} | ${fmt(r.gflops, 2)} | ${fmt(r.gbps, 2)} | ${fmt(r.cpuMs, 0)} |${ratio}`);
}
if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify({ adapter, date: new Date().toISOString(), results: rows }, null, 1) + '\n');
  console.log(`\nwrote ${jsonOut}`);
}
