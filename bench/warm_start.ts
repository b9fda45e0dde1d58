// Warm time to the first iteration on the shared benchmark, as `msinet segment` starts: each run
// is a new process (Mesa's on-disk shader cache already filled by an earlier run) that reads the
// .npy, starts the engine, prewarms the pipelines of the previous run from the kernel cache
// (cli/kernel-cache.ts; every other run with the cache off), then trains one restart. Two times per run: from
// segment()'s start and from the process's start, both to the end of iteration 1.
//
//   chrt -r 10 node --import tsx bench/warm_start.ts [--runs 5] [--name warm_start]
// Writes bench/results/NAME.json; alternates cache on / off so both see the same load.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, median } from './args.ts';

const file = new URL('../../shared/data/msinet-simulated/simulated.npy', import.meta.url).pathname;

if (process.argv[2] === '--child') {
  const [{ createEngine, describeAdapter }, { parseNpy, npyToFloat32 }, { minMaxScale }, { segment }, { useKernelCache }] = await Promise.all([
    import('../engine/index.ts'),
    import('../io/npy.ts'),
    import('../model/features.ts'),
    import('../model/segment.ts'),
    import('../cli/kernel-cache.ts'),
  ]);
  const x = minMaxScale(npyToFloat32(parseNpy(readFileSync(file), 'simulated.npy')), 4900, 3).scaled;
  const rt = await createEngine();
  const cache = useKernelCache(rt, describeAdapter(rt.ctx.report));
  const prewarmed = await cache.warming;
  const t0 = performance.now();
  let first = 0, fromStart = 0;
  await segment(rt, { features: x, height: 70, width: 70, channels: 3 }, {
    seed: 0, maxIter: 1, restarts: 1,
    onProgress: (phase, info) => {
      if (phase === 'train' && info.iteration === 1 && !first) {
        first = performance.now() - t0;
        fromStart = performance.now(); // performance.now() counts from the process's start
      }
    },
  });
  cache.save();
  console.log(JSON.stringify({ prewarmed, compileMs: rt.compileMs, firstIterationMs: first, fromProcessStartMs: fromStart }));
  await rt.destroy();
  process.exit(0);
}

if (!existsSync(file)) {
  console.log(`skipped: ${file} not found (the shared MSInet benchmark data is not on this machine)`);
  process.exit(0);
}
const runs = Number(arg('runs', '5')), name = arg('name', 'warm_start');
const cacheDir = mkdtempSync(join(tmpdir(), 'msinet-warm-'));
const rows: { cache: boolean; prewarmed: number; compileMs: number; firstIterationMs: number; fromProcessStartMs: number }[] = [];
try {
  const child = (cache: boolean) => {
    const env = { ...process.env, MSINET_CACHE_DIR: cacheDir, ...(cache ? {} : { MSINET_KERNEL_CACHE: 'off' }) };
    const r = spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--child'], { env, encoding: 'utf8' });
    const row = { cache, ...JSON.parse(r.stdout.trim().split('\n').pop()!) };
    process.stderr.write(`${JSON.stringify(row)}\n`);
    return row;
  };
  child(true); // fills Mesa's cache and the kernel cache; not counted
  for (let i = 0; i < runs; i++) rows.push(child(true), child(false));
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
const summary = [true, false].map((cache) => {
  const r = rows.filter((q) => q.cache === cache);
  return { cache, firstIterationMs: median(r.map((q) => q.firstIterationMs)), fromProcessStartMs: median(r.map((q) => q.fromProcessStartMs)), compileMs: median(r.map((q) => q.compileMs)), worstFirstIterationMs: Math.max(...r.map((q) => q.firstIterationMs)) };
});
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`results/${name}.json`, import.meta.url), JSON.stringify({ name, date: new Date().toISOString(), runs, rows, summary }, null, 1) + '\n');
console.log('| kernel cache | segment() to iteration 1, median (worst) | process start to iteration 1 | pipeline creation in segment() |\n|---|---|---|---|');
for (const s of summary)
  console.log(`| ${s.cache ? 'on' : 'off'} | ${(s.firstIterationMs / 1000).toFixed(2)} s (${(s.worstFirstIterationMs / 1000).toFixed(2)}) | ${(s.fromProcessStartMs / 1000).toFixed(2)} s | ${s.compileMs.toFixed(0)} ms |`);
