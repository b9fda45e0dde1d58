// The page's worker: loading, preprocessing and MSInet training run here, so the page stays
// responsive (training records and submits GPU work in a loop). One run at a time; a run
// gets a fresh engine and destroys it at the end, so after a GPU error the next run starts clean.
import { createEngine, describeAdapter, NoAdapterError, type Runtime } from '../engine/index.ts';
import type { ImzmlFile } from '../io/imzml/types.ts';
import { renumber, segment } from '../model/segment.ts';
import { ionImage, loadInput } from './load-input.ts';
import type { FromWorker, RunOptions, Source, ToWorker } from './messages.ts';
import { resultFiles, segmentSummary } from './results.ts';

/** Redraw the live segmentation every this many iterations (each costs a label readback). */
const MAP_EVERY = 5;

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
let stop = { aborted: false };
let openFile: ImzmlFile | null = null;

function classify(e: unknown): FromWorker {
  const err = e as Error;
  const message = err?.message ?? String(e);
  if (err instanceof NoAdapterError || !('gpu' in navigator))
    return { type: 'error', kind: 'no-webgpu', message: 'WebGPU is not available in this browser\'s workers: ' + message };
  if (['InputError', 'UserError', 'ImzmlError', 'NpyError', 'RangeError'].includes(err?.name)) return { type: 'error', kind: 'input', message };
  if (/WebGPU|device|GPU|out of memory|lost/i.test(message)) return { type: 'error', kind: 'gpu', message };
  return { type: 'error', kind: 'internal', message: err?.stack ?? message };
}

async function run(source: Source, o: RunOptions): Promise<void> {
  stop = { aborted: false };
  await openFile?.close();
  openFile = null;
  post({ type: 'status', text: 'reading...' });
  const loaded = await loadInput(source, o, (done, total) => post({ type: 'reading', done, total }));
  openFile = loaded.file;
  const { input } = loaded;
  const { height, width } = input;
  let rt: Runtime | null = null;
  try {
    rt = await createEngine();
    const engine = rt;
    // A lost device (driver reset, out of memory on some platforms) ends the run with a message.
    // ('destroyed' is our own rt.destroy() at the end of the run: not an error.)
    const lost = engine.device.lost.then((info): Promise<never> => {
      if (info.reason === 'destroyed') return new Promise<never>(() => {});
      throw new Error(`the GPU device was lost (${info.reason}): ${info.message}`);
    });
    lost.catch(() => {}); // settled through the race below; never an unhandled rejection
    post({ type: 'status', text: `${height} x ${width} pixels, ${input.channels} features; adapter ${describeAdapter(engine.ctx.report)}` });
    const work = segment(engine, input, {
      seed: o.seed,
      maxIter: o.maxIter,
      minLabels: o.minLabels,
      superpixels: o.superpixels,
      reduce: o.reduce,
      contrast: o.contrast,
      signal: stop,
      onProgress: (phase, info) => {
        if (phase !== 'train') return post({ type: 'status', text: `${phase}...` });
        const msg: FromWorker = { type: 'iteration', iteration: info.iteration!, total: info.total!, labels: info.labels!, loss: info.loss!, height, width };
        if (info.iteration === 1 || info.iteration! % MAP_EVERY === 0)
          info.readLabels!().then((raw) => post({ ...msg, map: renumber(raw, (i) => !input.mask || input.mask[i] !== 0) }));
        else post(msg);
      },
    });
    const result = await Promise.race([work, lost]);
    const files = resultFiles(result);
    const segments = segmentSummary(result.labels, input.features, input.channels, loaded.mz);
    post({ type: 'done', labels: result.labels, height, width, report: result.report, segments, files, canIon: openFile !== null });
  } finally {
    await rt?.destroy().catch(() => {});
  }
}

self.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (m.type === 'stop') {
    stop.aborted = true;
    return;
  }
  try {
    if (m.type === 'run') await run(m.source, m.options);
    else if (m.type === 'ion') {
      if (!openFile) throw new Error('no imzML input to read ion images from');
      const image = await ionImage(openFile, m.mz, m.tolerance);
      post({ type: 'ion', mz: m.mz, tolerance: m.tolerance, image, height: openFile.height, width: openFile.width }, [image.buffer]);
    }
  } catch (e) {
    post(classify(e));
  }
};
