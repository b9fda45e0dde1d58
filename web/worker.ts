// The page's worker: loading, preprocessing, MSInet training (segment tab) and coloc() (coloc
// tab) run here, so the page stays responsive (training records and submits GPU work in a
// loop). One run at a time; a run gets a fresh engine and destroys it at the end, so after a
// GPU error the next run starts clean.
import { createEngine, describeAdapter, NoAdapterError, type Runtime } from '../engine/index.ts';
import { colocFiles, imageName, resolveQuery } from '../io/coloc-results.ts';
import type { ImzmlFile } from '../io/imzml/types.ts';
import { checkColocInput, coloc, queryColoc, type ColocResult } from '../model/coloc/coloc.ts';
import { renumber, segment } from '../model/segment.ts';
import { colocOptions, loadStack } from './coloc-input.ts';
import { ionImage, loadInput } from './load-input.ts';
import type { ColocRunOptions, ColocSource, FromWorker, RunOptions, Source, ToWorker } from './messages.ts';
import { resultFiles, segmentSummary } from './results.ts';

/** Redraw the live segmentation every this many iterations (each costs a label readback). */
const MAP_EVERY = 5;

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
let stop = { aborted: false };
let openFile: ImzmlFile | null = null;
/** The engine of the run in progress (the lose-device test hook reaches its device). */
let current: Runtime | null = null;
/** The last coloc result, for queries (CPU only: it outlives its engine). */
let lastColoc: { result: ColocResult; mz: Float64Array | null } | null = null;

/** Thrown from coloc()'s progress callback when the user pressed Stop: ends the run after the current epoch. */
class StoppedError extends Error {
  constructor() {
    super('stopped: no result (coloc has none before its end)');
    this.name = 'StoppedError';
  }
}

function classify(e: unknown): FromWorker {
  const err = e as Error;
  const message = err?.message ?? String(e);
  if (err instanceof StoppedError) return { type: 'error', kind: 'stopped', message };
  if (err instanceof NoAdapterError || !('gpu' in navigator))
    return { type: 'error', kind: 'no-webgpu', message: 'WebGPU is not available in this browser\'s workers: ' + message };
  if (['InputError', 'UserError', 'ImzmlError', 'NpyError', 'RangeError', 'ColocInputError'].includes(err?.name)) return { type: 'error', kind: 'input', message };
  if (/WebGPU|device|GPU|out of memory|lost/i.test(message)) return { type: 'error', kind: 'gpu', message };
  return { type: 'error', kind: 'internal', message: err?.stack ?? message };
}

/**
 * Runs fn on a fresh engine and destroys it after. A lost device (driver reset, out of memory
 * on some platforms, the test hook) ends the run with a message: the race below settles it
 * even where fn waits on no GPU work; the runtime itself rejects what was waiting on the GPU.
 */
async function withEngine<T>(fn: (rt: Runtime) => Promise<T>): Promise<T> {
  let rt: Runtime | null = null;
  let ours = false; // set before our own destroy(), whose 'destroyed' loss is no error
  try {
    rt = current = await createEngine();
    const lost = rt.device.lost.then((info): Promise<never> => {
      if (ours) return new Promise<never>(() => {});
      throw new Error(`the GPU device was lost (${info.reason}): ${info.message}`);
    });
    lost.catch(() => {}); // settled through the race below; never an unhandled rejection
    return await Promise.race([fn(rt), lost]);
  } finally {
    current = null;
    ours = true;
    await rt?.destroy().catch(() => {});
  }
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
  await withEngine(async (engine) => {
    post({ type: 'status', text: `${height} x ${width} pixels, ${input.channels} features; adapter ${describeAdapter(engine.ctx.report)}` });
    const result = await segment(engine, input, {
      seed: o.seed,
      maxIter: o.maxIter,
      minLabels: o.minLabels,
      restarts: o.restarts,
      refine: o.refine,
      superpixels: o.superpixels,
      reduce: o.reduce,
      contrast: o.contrast,
      signal: stop,
      onProgress: (phase, info) => {
        if (phase !== 'train') return post({ type: 'status', text: `${phase}...` });
        const msg: FromWorker = { type: 'iteration', iteration: info.iteration!, total: info.total!, labels: info.labels!, loss: info.loss!, height, width, restart: info.restart ?? 0, restarts: info.restarts ?? 1 };
        if (info.iteration === 1 || info.iteration! % MAP_EVERY === 0)
          info.readLabels!().then((raw) => post({ ...msg, map: renumber(raw, (i) => !input.mask || input.mask[i] !== 0) }));
        else post(msg);
      },
    });
    const files = resultFiles(result);
    const segments = segmentSummary(result.labels, input.features, input.channels, loaded.mz);
    post({ type: 'done', labels: result.labels, height, width, report: result.report, segments, files, canIon: openFile !== null });
  });
}

/** report.json as the CLI writes it: the report plus each other file's size and SHA-256. */
async function reportJson(report: object, files: Array<{ name: string; data: Uint8Array | string }>): Promise<string> {
  const manifest: Record<string, { bytes: number; sha256: string }> = {};
  for (const f of files) {
    const bytes = typeof f.data === 'string' ? new TextEncoder().encode(f.data) : f.data;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
    manifest[f.name] = { bytes: bytes.length, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
  }
  return JSON.stringify({ ...report, files: manifest }, null, 2) + '\n';
}

async function runColoc(source: ColocSource, o: ColocRunOptions): Promise<void> {
  const signal = (stop = { aborted: false });
  lastColoc = null;
  post({ type: 'status', text: 'reading...' });
  const { stack, mz, truth } = await loadStack(source, o, (done, total) => post({ type: 'phase', phase: 'reading', done, total, info: '' }));
  const options = { ...colocOptions(o), truth: truth ?? undefined };
  checkColocInput(stack, options); // bad input is reported before a device is created
  await withEngine(async (engine) => {
    post({ type: 'status', text: `${stack.n} ion images of ${stack.height} x ${stack.width}; adapter ${describeAdapter(engine.ctx.report)}` });
    const result = await coloc(engine, stack, {
      ...options,
      onProgress: (phase, done, total, info) => {
        if (signal.aborted) throw new StoppedError();
        post({ type: 'phase', phase, done, total, info: info ?? '' });
      },
    });
    lastColoc = { result, mz };
    const files = colocFiles(result, result.prepared, mz);
    const all: Record<string, Uint8Array | string> = Object.fromEntries(files.map((f) => [f.name, f.data]));
    all['report.json'] = await reportJson(result.report, files);
    post({ type: 'coloc-done', clusters: result.clusters, confidence: result.confidence, mz, report: result.report, files: all });
  });
}

function query(q: string): void {
  if (!lastColoc) return post({ type: 'query-error', message: 'run coloc first' });
  const { result, mz } = lastColoc;
  let i: number;
  try {
    i = resolveQuery(q, result.clusters.length, mz);
  } catch (e) {
    return post({ type: 'query-error', message: (e as Error).message });
  }
  const rows = queryColoc(result, i, 10).map((h) => ({ ...h, name: imageName(h.index, mz), cluster: result.clusters[h.index]! }));
  post({ type: 'query', title: `images most colocalized with ${mz ? `m/z ${imageName(i, mz)} (image ${i})` : `image ${i}`}, cluster ${result.clusters[i]}`, rows });
}

self.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (m.type === 'stop') {
    stop.aborted = true;
    return;
  }
  if (m.type === 'lose-device') return void current?.device.destroy();
  if (m.type === 'query') return query(m.query);
  try {
    if (m.type === 'run') await run(m.source, m.options);
    else if (m.type === 'coloc') await runColoc(m.source, m.options);
    else if (m.type === 'ion') {
      // Its own error type: it can come while a coloc run is in progress, whose errors are the run's.
      if (!openFile) return post({ type: 'ion-error', message: 'no imzML input to read ion images from' });
      const file = openFile;
      const image = await ionImage(file, m.mz, m.tolerance).catch((e: Error) => (post({ type: 'ion-error', message: e?.message ?? String(e) }), null));
      if (image) post({ type: 'ion', mz: m.mz, tolerance: m.tolerance, image, height: file.height, width: file.width }, [image.buffer]);
    }
  } catch (e) {
    post(classify(e));
  }
};
