// `msinet segment`: load -> segment() -> write, with a progress bar and clear errors.
import { createEngine, describeAdapter } from '../engine/index.ts';
import { segment } from '../model/segment.ts';
import { UserError } from './errors.ts';
import { Progress } from './progress.ts';
import { loadInput, loadTruth, parseShape } from './segment-input.ts';
import { writeSegmentOutputs } from './segment-output.ts';

function num(name: string, v: string | boolean | undefined, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(x) || (integer && !Number.isInteger(x)))
    throw new UserError(`--${name} must be ${integer ? 'an integer' : 'a number'}, got "${v}"`);
  return x;
}

export async function runSegment(path: string, o: Record<string, string | boolean | undefined>): Promise<void> {
  const quiet = Boolean(o.quiet);
  const log = (s: string) => quiet || process.stderr.write(s + '\n');
  const shape = parseShape(o.shape as string | undefined);
  const read = quiet ? null : new Progress({ total: 1, label: 'reading' });
  const loaded = await loadInput(
    path,
    shape,
    {
      binWidth: num('bin-width', o.binWidth),
      binUnit: o.binUnit as 'da' | 'ppm',
      topK: num('top-k', o.topK, true),
      select: o.select as 'mean' | 'variance',
      normalize: o.normalize as 'tic' | 'rms' | 'none',
      transform: o.sqrt ? 'sqrt' : 'none',
      ticThreshold: num('tic-threshold', o.ticThreshold),
    },
    read ? (d, t) => (read.setTotal(t), read.update(d)) : undefined,
  ).catch((e: Error) => {
    if (e instanceof RangeError) throw new UserError(e.message);
    throw e;
  });
  read?.done();
  const { input } = loaded;
  const truth = o.truth ? await loadTruth(o.truth as string, input.height * input.width) : undefined;
  const rt = await createEngine();
  try {
    log(`msinet: ${input.height}x${input.width} pixels, ${input.channels} features; adapter ${describeAdapter(rt.ctx.report)}`);
    const maxIter = num('max-iter', o.maxIter, true)!;
    const bar = quiet ? null : new Progress({ total: maxIter, label: 'training' });
    const result = await segment(rt, input, {
      seed: num('seed', o.seed, true),
      maxIter,
      minLabels: num('min-labels', o.minLabels, true),
      finalLabels: o.finalLabels as 'stop' | 'forward',
      superpixels: o.superpixels as 'slic' | 'felzenszwalb',
      nSegments: num('n-segments', o.nSegments, true),
      compactness: num('compactness', o.compactness),
      reduce: o.reduce as 'pca' | 'umap' | 'none',
      contrast: o.contrast as 'patch' | 'infonce',
      temperature: num('temperature', o.temperature),
      inputScale: num('input-scale', o.inputScale),
      tic: loaded.kind === 'npy' && Boolean(o.tic),
      sqrt: loaded.kind === 'npy' && Boolean(o.sqrt),
      truth,
      onProgress: (phase, info) => {
        if (phase === 'train' && bar) bar.update(info.iteration!, `labels ${info.labels} loss ${info.loss!.toFixed(4)}`);
        else if (phase !== 'train') log(`msinet: ${phase}...`);
      },
    });
    bar?.done();
    const names = loaded.mzValues ? Array.from(loaded.mzValues, (m) => m.toFixed(4)) : Array.from({ length: input.channels }, (_, j) => `f${j}`);
    const files = await writeSegmentOutputs(o.out as string, result, {
      featureNames: names,
      features: input.features,
      channels: input.channels,
      mz: loaded.mzValues,
    });
    const r = result.report;
    const scores = [r.ari !== undefined ? `ARI ${r.ari.toFixed(4)}` : '', r.nmi !== undefined ? `NMI ${r.nmi.toFixed(4)}` : '', r.silhouette !== null ? `silhouette ${r.silhouette.toFixed(4)}` : '']
      .filter(Boolean)
      .join(', ');
    log(`msinet: ${r.labels} segments after ${r.iterations} iterations in ${r.timings.total.toFixed(1)} s${scores ? `; ${scores}` : ''}`);
    log(`msinet: wrote ${files.join(', ')}`);
  } finally {
    await rt.destroy();
  }
}
