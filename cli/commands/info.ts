// `msinet info FILE.imzML`: what is in an imzML pair, after one full pass over its spectra.
import type { Command } from 'commander';
import type { ImzmlSummary } from '../../io/imzml/summary.ts';

function num(v: number | null, digits = 6): string {
  if (v === null) return '-';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(digits)));
}

function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let u = 0;
  let v = n;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

export function formatSummary(s: ImzmlSummary): string {
  const pct = (100 * s.pixels_present) / (s.width * s.height);
  const rows: [string, string][] = [
    ['file', s.file],
    ['ibd', `${s.ibd} (${bytes(s.ibd_bytes)})`],
    ['mode', s.mode],
    ['grid', `${s.width} x ${s.height}${s.pixel_size !== null ? ` (pixel size ${num(s.pixel_size)} um)` : ''}`],
    ['spectra', String(s.n_spectra)],
    ['pixels present', `${s.pixels_present} of ${s.width * s.height} (${pct.toFixed(1)}%)`],
    ['dtypes', `m/z ${s.dtypes.mz}, intensity ${s.dtypes.intensity}`],
    ['compression', `m/z ${s.compression.mz}, intensity ${s.compression.intensity}`],
    ['m/z range', `${num(s.mz_min, 10)} - ${num(s.mz_max, 10)}`],
    ['points/spectrum', `min ${s.points.min}, median ${num(s.points.median)}, max ${s.points.max}`],
    ['TIC', `min ${num(s.tic.min)}, median ${num(s.tic.median)}, max ${num(s.tic.max)}`],
    ['uuid', s.uuid ?? '-'],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}

function formatSpectra(s: ImzmlSummary): string {
  const lines = ['\nindex\tx\ty\tn_points\ttic\tmz_min\tmz_max'];
  s.spectra!.forEach((p, i) => lines.push([i, p.x, p.y, p.n_points, p.tic, p.mz_min ?? '-', p.mz_max ?? '-'].join('\t')));
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('info')
    .description('Summarise an imzML file: mode, grid, spectra, dtypes, m/z range, points and TIC per spectrum')
    .argument('<file>', 'the .imzML header (its .ibd must be beside it)')
    .option('--json', 'print the summary as JSON')
    .option('--spectra', 'add per-spectrum x, y, n_points, tic, mz_min, mz_max (document order)')
    .option('--max-spectrum-points <n>', 'refuse spectra that declare more points than this (guards against corrupt headers)', String(2 ** 23))
    .action(async (file: string, opts: { json?: boolean; spectra?: boolean; maxSpectrumPoints: string }) => {
      const { parseInteger } = await import('../options.ts');
      const maxSpectrumPoints = parseInteger('max-spectrum-points', opts.maxSpectrumPoints, { min: 1, max: 2 ** 31 });
      const { openImzml } = await import('../../io/imzml/node.ts');
      const { summarizeImzml } = await import('../../io/imzml/summary.ts');
      const reader = await openImzml(file, { maxSpectrumPoints });
      try {
        // Large files take a while; show progress on a terminal only (pipes get clean output).
        const { Progress } = await import('../progress.ts');
        const progress = process.stderr.isTTY && reader.count >= 2000 ? new Progress({ total: reader.count, label: 'reading spectra' }) : null;
        const summary = await summarizeImzml(reader, {
          spectra: opts.spectra,
          onProgress: progress ? (done) => progress.update(done) : undefined,
        });
        progress?.done();
        if (opts.json) process.stdout.write(JSON.stringify(summary, null, 1) + '\n');
        else process.stdout.write(formatSummary(summary) + (summary.spectra ? formatSpectra(summary) : ''));
      } finally {
        await reader.close();
      }
    });
}
