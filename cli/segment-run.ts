// `msinet segment`: check options and output folder -> load -> segment() -> write, with a
// progress bar and clear errors. The order matters: everything that can be checked without
// work is checked first, and the output folder is locked for the whole run.
import { createEngine, describeAdapter, type Runtime } from '../engine/index.ts';
import { findIbd } from '../io/imzml/node.ts';
import { segment } from '../model/segment.ts';
import { UserError } from './errors.ts';
import { faultyWriteFile, injectFault } from './fault-injection.ts';
import { useKernelCache } from './kernel-cache.ts';
import { currentPhase, installInterruptHandlers, onInterrupt, runCleanups, setPhase } from './interrupt.ts';
import { prepareOutputDir, removeCreatedFolders } from './output-location.ts';
import { Progress } from './progress.ts';
import { recoverResultSet } from './result-set.ts';
import { acquireRunLock } from './run-lock.ts';
import { loadInput, loadTruth } from './segment-input.ts';
import { parseSegmentOptions, SEGMENT_OUTPUTS, type RawOptions } from './segment-options.ts';
import { writeSegmentOutputs } from './segment-output.ts';

const PHASES: Record<string, string> = { reduce: 'reducing', superpixels: 'computing superpixels', train: 'training' };

export async function runSegment(path: string, o: RawOptions): Promise<void> {
  installInterruptHandlers('segment');
  const plan = parseSegmentOptions(path, o);
  const log = (s: string) => plan.quiet || process.stderr.write(s + '\n');
  const inputs = [path, ...(plan.kind === 'imzml' ? [findIbd(path) ?? path] : []), ...(plan.truth ? [plan.truth] : [])];
  const loc = prepareOutputDir(plan.out, { outputs: SEGMENT_OUTPUTS, inputs });
  onInterrupt(() => removeCreatedFolders(loc));
  let rt: Runtime | null = null;
  let stagingOff: (() => void) | undefined;
  try {
    const lock = acquireRunLock(loc.dir, 'segment');
    onInterrupt(() => lock.release());
    for (const line of recoverResultSet(loc.dir, 'report.json')) log(`msinet: ${loc.dir}: ${line}`);

    setPhase('reading');
    injectFault('reading');
    const read = plan.quiet ? null : new Progress({ total: 1, label: 'reading' });
    const loaded = await loadInput(path, plan.shape, plan.preprocess, read ? (d, t) => (read.setTotal(t), read.update(d)) : undefined, {
      maxSpectrumPoints: plan.maxSpectrumPoints,
    }).catch((e: Error) => {
      if (e instanceof RangeError) throw new UserError(e.message);
      throw e;
    });
    read?.done();
    if (loaded.warning) process.stderr.write(`msinet: warning: ${loaded.warning}\n`);
    const { input } = loaded;
    const truth = plan.truth ? await loadTruth(plan.truth, input.height * input.width) : undefined;

    setPhase('starting the GPU');
    rt = await createEngine();
    const engine = rt;
    // The pipelines of earlier runs (cli/kernel-cache.ts), created all at once in the background
    // while the options are logged and checked; awaited before training needs them.
    const kernels = useKernelCache(engine, describeAdapter(engine.ctx.report));
    log(`msinet: ${input.height}x${input.width} pixels, ${input.channels} features; adapter ${describeAdapter(engine.ctx.report)}`);
    const restarts = plan.model.restarts!;
    const label = (r: number) => (restarts > 1 ? `training ${r + 1}/${restarts}` : 'training');
    let bar: Progress | null = null;
    let barRestart = -1;
    await kernels.warming;
    const result = await segment(engine, input, {
      ...plan.model,
      truth,
      onProgress: (phase, info) => {
        setPhase(PHASES[phase] ?? phase);
        injectFault(currentPhase(), { destroyDevice: () => engine.device.destroy() });
        if (phase === 'train' && !plan.quiet) {
          // One bar per restart: each training has its own iteration count and stopping point.
          if (info.restart !== barRestart) {
            bar?.done();
            bar = new Progress({ total: plan.model.maxIter!, label: label(info.restart ?? 0) });
            barRestart = info.restart ?? 0;
          }
          bar!.update(info.iteration!, `labels ${info.labels} loss ${info.loss!.toFixed(4)}`);
        }
        else if (phase !== 'train') log(`msinet: ${phase}...`);
      },
    });
    (bar as Progress | null)?.done();
    kernels.save();
    // What was done to the spectra before segment() saw them (binning, normalisation, square root).
    if (loaded.kind === 'imzml') result.report.parameters.preprocess = { ...plan.preprocess };

    setPhase('writing the results');
    injectFault('writing');
    const names = loaded.mzValues ? Array.from(loaded.mzValues, (m) => m.toFixed(4)) : Array.from({ length: input.channels }, (_, j) => `f${j}`);
    const files = await writeSegmentOutputs(
      loc.dir,
      result,
      { featureNames: names, features: input.features, channels: input.channels, mz: loaded.mzValues },
      {
        writeFile: faultyWriteFile(),
        onStaging: (cleanup) => {
          if (cleanup) stagingOff = onInterrupt(cleanup);
          else stagingOff?.();
        },
      },
    );
    setPhase('done');
    const r = result.report;
    const scores = [r.ari !== undefined ? `ARI ${r.ari.toFixed(4)}` : '', r.nmi !== undefined ? `NMI ${r.nmi.toFixed(4)}` : '', r.silhouette !== null ? `silhouette ${r.silhouette.toFixed(4)}` : '']
      .filter(Boolean)
      .join(', ');
    if (r.restarts.length > 1) {
      const auto = r.consensus.auto
        ? `; --min-labels auto picked ${r.consensus.auto.picked} (silhouette ${r.consensus.auto.curve.map((c) => `${c.k}: ${c.silhouette.toFixed(3)}`).join(', ')})`
        : '';
      log(`msinet: ${r.restarts.length} restarts, labels ${r.restarts.map((q) => q.labels).join('/')}, stability (mean pairwise ARI) ${r.consensus.stability.toFixed(3)}${auto}`);
    }
    log(`msinet: ${r.labels} segments after ${r.iterations} iterations in ${r.timings.total.toFixed(1)} s${scores ? `; ${scores}` : ''}`);
    log(`msinet: wrote ${files.join(', ')}`);
  } catch (e) {
    const name = (e as Error)?.name;
    if (name === 'GpuDeviceLostError' || name === 'GpuOutOfMemoryError')
      throw new UserError(`${(e as Error).message} while ${currentPhase()}; no results were written (earlier results in ${loc.dir} are unchanged)`);
    throw e;
  } finally {
    runCleanups();
    await rt?.destroy();
  }
}
