// `msinet simulate`: synthetic MSI with known regions (imzML + truth), or with --stack a stack of
// ion images with known colocalization groups. The generators are io/simulator.ts.
import type { Command } from 'commander';
import { UserError } from '../errors.ts';
import { parseInteger, parseNumber, parseSeed } from '../options.ts';

interface SimulateCliOptions {
  out: string;
  seed: string;
  width: string;
  height: string;
  regions: string;
  mode: string;
  peaks: string;
  common: string;
  noise: string;
  counts: string;
  drift: string;
  baseline: string;
  points: string;
  mzRange?: string;
  compression: string;
  stack?: boolean;
  images: string;
  difficulty: string;
}

const int = (name: string, v: string, min: number) => parseInteger(name, v, { min });
const real = (name: string, v: string, min: number) => parseNumber(name, v, { min });

function mzRange(v: string | undefined): { mzMin?: number; mzMax?: number } {
  if (v === undefined) return {};
  const m = /^\s*([\d.eE+]+)\s*[:,-]\s*([\d.eE+]+)\s*$/.exec(v);
  const lo = Number(m?.[1]), hi = Number(m?.[2]);
  if (!m || !(lo > 0) || !(hi > lo)) throw new UserError(`--mz-range must look like 100:600 (low below high), got "${v}"`);
  return { mzMin: lo, mzMax: hi };
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description(
      'Write a synthetic MSI image with known regions: DIR/simulated.imzML + .ibd, truth.npy (int32 H x W), ' +
        'truth.json (regions, peaks), truth.png. With --stack: ion images with known colocalization groups ' +
        '(images.npy float32 [n, H, W], groups.npy int32 [n], mz.npy, stack.json)',
    )
    .requiredOption('--out <dir>', 'output directory (created if missing)')
    .option('--seed <n>', 'random seed; the same seed writes the same bytes', '0')
    .option('--width <n>', 'image width in pixels', '64')
    .option('--height <n>', 'image height in pixels', '64')
    .option('--regions <n>', 'number of regions (with --stack: number of colocalization groups)', '4')
    .option('--mode <mode>', 'imzML mode: continuous (profiles on one m/z axis) or processed (centroids)', 'continuous')
    .option('--peaks <n>', 'region-specific peaks per region', '4')
    .option('--common <n>', 'peaks shared by all regions', '12')
    .option('--noise <sigma>', 'sigma of the multiplicative log-normal noise per peak (0 = none)', '0.2')
    .option('--counts <n>', 'expected ion counts of a unit peak, for Poisson noise (0 = no counting noise)', '200')
    .option('--drift <f>', 'intensity drift across the section: factor 1-f .. 1+f', '0.3')
    .option('--baseline <h>', 'height of a decaying baseline relative to a unit peak (continuous mode)', '0')
    .option('--points <n>', 'points on the m/z axis (continuous mode)', '2001')
    .option('--mz-range <lo:hi>', 'm/z range (default 100:600; with --stack 100:1000)')
    .option('--compression <c>', 'imzML array compression: none or zlib', 'none')
    .option('--stack', 'write a stack of ion images with known colocalization groups instead')
    .option('--images <n>', 'number of ion images (with --stack)', '40')
    .option('--difficulty <x>', 'with --stack: shared structure, overlap, non-linear response, missing pixels and hot spots together (0 = none)', '1')
    .action(async (o: SimulateCliOptions) => {
      const { simulateMsi, simulateIonStack } = await import('../../io/simulator.ts');
      const { writeSimulation, writeIonStack } = await import('../../io/simulator-node.ts');
      const { Progress } = await import('../progress.ts');
      const { prepareOutputDir } = await import('../output-location.ts');
      // Checked and created level by level (Node's recursive mkdir never returns under /proc).
      const outDir = () => prepareOutputDir(o.out, { outputs: [], inputs: [] }).dir;
      const common = {
        seed: parseSeed(o.seed),
        width: int('width', o.width, 1),
        height: int('height', o.height, 1),
        noise: real('noise', o.noise, 0),
        counts: real('counts', o.counts, 0),
        ...mzRange(o.mzRange),
      };
      // Option values the generators reject (too many peaks for the m/z range ...) are user errors.
      const guard = <T>(f: () => T): T => {
        try {
          return f();
        } catch (e) {
          if (e instanceof RangeError) throw new UserError(e.message);
          throw e;
        }
      };
      if (o.stack) {
        const stack = guard(() => simulateIonStack({ ...common, groups: int('regions', o.regions, 1), images: int('images', o.images, 2), difficulty: real('difficulty', o.difficulty, 0) }));
        const { files } = await writeIonStack(outDir(), stack);
        process.stderr.write(`wrote ${stack.n} ion images (${stack.width} x ${stack.height}) in ${new Set(stack.groups).size} groups:\n  ${files.join('\n  ')}\n`);
        return;
      }
      if (o.mode !== 'continuous' && o.mode !== 'processed') throw new UserError(`--mode must be continuous or processed, got "${o.mode}"`);
      if (o.compression !== 'none' && o.compression !== 'zlib') throw new UserError(`--compression must be none or zlib, got "${o.compression}"`);
      const sim = guard(() =>
        simulateMsi({
          ...common,
          regions: int('regions', o.regions, 1),
          mode: o.mode as 'continuous' | 'processed',
          peaksPerRegion: int('peaks', o.peaks, 0),
          commonPeaks: int('common', o.common, 0),
          drift: real('drift', o.drift, 0),
          baseline: real('baseline', o.baseline, 0),
          points: int('points', o.points, 2),
        }),
      );
      const total = sim.width * sim.height;
      const bar = new Progress({ total, label: 'simulate' });
      const { files } = await writeSimulation(outDir(), sim, {
        compression: o.compression,
        onSpectrum: (d) => (d % 256 === 0 || d === total) && bar.update(d),
      });
      bar.done(`wrote a ${sim.width} x ${sim.height} ${sim.mode} image with ${sim.options.regions} regions and ${sim.peaks.length} peaks:\n  ${files.join('\n  ')}`);
    });
}
