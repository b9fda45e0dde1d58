// Memory bound of the imzML reader on a file far larger than the bound. Writes (with our
// streaming writer) a processed imzML of >= 1 GB into a temp dir, then, in a fresh child process,
// opens it and makes a full pass (every spectrum read, TIC computed: what `msinet info` does)
// and reports the child's peak RSS (VmHWM), the file size and the throughput. The claim checked:
// peak RSS < 400 MB. Results: bench/results/imzml_memory.json. Temp files are deleted after.
//
//   node --import tsx bench/imzml_memory.ts [--gb 1.05] [--points 900]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WriteSpectrum } from '../io/imzml/types.ts';

const RSS_BOUND_MB = 400;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Peak resident set size of this process in MB (Linux VmHWM; maxRSS elsewhere). */
function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Child: open + full pass, print one JSON line. */
async function child(path: string): Promise<void> {
  const { openImzml } = await import('../io/imzml/node.ts');
  const { summarizeImzml } = await import('../io/imzml/summary.ts');
  const t0 = performance.now();
  const f = await openImzml(path);
  const t1 = performance.now();
  const s = await summarizeImzml(f);
  const t2 = performance.now();
  await f.close();
  const result = {
    spectra: f.count,
    header_parse_s: (t1 - t0) / 1000,
    pass_s: (t2 - t1) / 1000,
    tic_median: s.tic.median,
    peak_rss_mb: peakRssMb(),
    max_rss_mb: process.resourceUsage().maxRSS / 1024,
    heap_used_mb_end: process.memoryUsage().heapUsed / 2 ** 20,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

/** Deterministic processed spectra, generated lazily so the writer streams them. */
function* spectra(count: number, width: number, points: number): Generator<WriteSpectrum> {
  let seed = 12345;
  const next = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const mz = new Float64Array(points);
  const intensity = new Float32Array(points);
  for (let i = 0; i < count; i++) {
    let m = 100 + next();
    for (let j = 0; j < points; j++) {
      m += 0.5 + next(); // increasing, different per spectrum: a genuinely processed file
      mz[j] = m;
      intensity[j] = next() < 0.9 ? 0 : 1000 * next();
    }
    yield { x: (i % width) + 1, y: Math.floor(i / width) + 1, mz, intensity };
  }
}

async function main(): Promise<void> {
  const targetGb = arg('gb', 1.05);
  const points = arg('points', 900);
  const bytesPerSpectrum = points * (8 + 4); // f64 m/z + f32 intensity
  const count = Math.ceil((targetGb * 1e9) / bytesPerSpectrum);
  const width = Math.ceil(Math.sqrt(count));
  const dir = mkdtempSync(join(tmpdir(), 'msinet-imzml-bench-'));
  const base = join(dir, 'big');
  try {
    const { writeImzml } = await import('../io/imzml/writer.ts');
    console.log(`writing ${count} spectra x ${points} points (processed, f64 m/z, f32 intensity) to ${dir} ...`);
    const tw = performance.now();
    const w = await writeImzml(base, spectra(count, width, points), { mode: 'processed', mzDtype: 'f64', intensityDtype: 'f32' });
    const writeS = (performance.now() - tw) / 1000;
    const writerPeak = peakRssMb();
    const ibdBytes = statSync(w.ibdPath).size;
    const headerBytes = statSync(w.imzmlPath).size;
    const totalMb = (ibdBytes + headerBytes) / 1e6;
    console.log(`wrote ${(ibdBytes / 1e9).toFixed(3)} GB .ibd + ${(headerBytes / 1e6).toFixed(1)} MB header in ${writeS.toFixed(1)} s (writer process peak RSS ${writerPeak.toFixed(0)} MB)`);

    const self = fileURLToPath(import.meta.url);
    const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', w.imzmlPath], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const r = JSON.parse(out.trim().split('\n').pop()!) as Awaited<ReturnType<typeof JSON.parse>>;
    const totalS = r.header_parse_s + r.pass_s;
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      file: { spectra: count, points_per_spectrum: points, ibd_bytes: ibdBytes, header_bytes: headerBytes, mode: 'processed', dtypes: 'f64 m/z, f32 intensity' },
      write: { seconds: writeS, mb_per_s: totalMb / writeS, writer_process_peak_rss_mb: writerPeak },
      read: {
        header_parse_s: r.header_parse_s,
        header_mb_per_s: headerBytes / 1e6 / r.header_parse_s,
        pass_s: r.pass_s,
        pass_mb_per_s: ibdBytes / 1e6 / r.pass_s,
        total_s: totalS,
        total_mb_per_s: totalMb / totalS,
        peak_rss_mb: r.peak_rss_mb,
        max_rss_mb: r.max_rss_mb,
        heap_used_mb_end: r.heap_used_mb_end,
        tic_median: r.tic_median,
      },
      bound: { peak_rss_mb_below: RSS_BOUND_MB, ok: r.peak_rss_mb < RSS_BOUND_MB },
    };
    const resultsDir = join(fileURLToPath(new URL('.', import.meta.url)), 'results');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'imzml_memory.json'), JSON.stringify(result, null, 2) + '\n');
    console.log(
      `read: header ${r.header_parse_s.toFixed(1)} s (${result.read.header_mb_per_s.toFixed(0)} MB/s), ` +
        `pass ${r.pass_s.toFixed(1)} s (${result.read.pass_mb_per_s.toFixed(0)} MB/s), ` +
        `total ${result.read.total_mb_per_s.toFixed(0)} MB/s; peak RSS ${r.peak_rss_mb.toFixed(0)} MB ` +
        `(bound ${RSS_BOUND_MB} MB: ${result.bound.ok ? 'OK' : 'EXCEEDED'})`,
    );
    if (!result.bound.ok) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!);
else await main();
