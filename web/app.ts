// The page: two tabs sharing one worker (web/worker.ts), one run at a time. Segment (here):
// choose an input, set options, Run, watch progress, the loss / label-count plot and the
// segmentation as it trains, Stop, then download the results, hover segments for their size
// and mean spectrum, and view ion images of imzML input. Coloc: web/coloc-tab.ts.
import { SEGMENT_PREPROCESS_DEFAULTS } from '../io/preprocess-defaults.ts';
import { SEGMENT_DEFAULTS } from '../model/defaults.ts';
import { colocState, initColocTab } from './coloc-tab.ts';
import type { FromWorker, RunOptions, Segments, Source, ToWorker } from './messages.ts';
import { hasWebGpu, noWebGpuMessage, WEBGPU_HOWTO } from './no-webgpu.ts';
import { linePlot, stickPlot } from './plot.ts';
import { drawGray, drawLabels, pixelAt, setDownload, wireFileDrop } from './view.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = {
  noWebgpu: $<HTMLDivElement>('no-webgpu'),
  drop: $<HTMLDivElement>('drop'),
  files: $<HTMLInputElement>('files'),
  simulated: $<HTMLButtonElement>('simulated'),
  chosen: $<HTMLDivElement>('chosen'),
  shapeRow: $<HTMLLabelElement>('shape-row'),
  shape: $<HTMLInputElement>('shape'),
  options: $<HTMLFormElement>('options'),
  run: $<HTMLButtonElement>('run'),
  stop: $<HTMLButtonElement>('stop'),
  progress: $<HTMLProgressElement>('progress'),
  status: $<HTMLSpanElement>('status'),
  error: $<HTMLDivElement>('error'),
  seg: $<HTMLCanvasElement>('seg'),
  downloads: $<HTMLDivElement>('downloads'),
  lossPlot: $<HTMLCanvasElement>('loss-plot'),
  hover: $<HTMLDivElement>('hover'),
  spectrum: $<HTMLCanvasElement>('spectrum'),
  ion: $<HTMLDivElement>('ion'),
  ionMz: $<HTMLInputElement>('ion-mz'),
  ionTol: $<HTMLInputElement>('ion-tol'),
  ionShow: $<HTMLButtonElement>('ion-show'),
  ionStatus: $<HTMLSpanElement>('ion-status'),
  ionList: $<HTMLDataListElement>('ion-mz-list'),
  ionImage: $<HTMLCanvasElement>('ion-image'),
};

/** What the page holds; `window.__msinet` exposes it to the end-to-end test. */
const state = {
  phase: 'idle' as 'idle' | 'running' | 'done' | 'error',
  source: null as Source | null,
  losses: [] as number[],
  counts: [] as number[],
  result: null as Extract<FromWorker, { type: 'done' }> | null,
  colors: new Map<number, [number, number, number]>(),
  error: '',
};

let worker: Worker | null = null;
/** The tab whose run the worker's status and error messages belong to. */
let owner: 'segment' | 'coloc' = 'segment';
function getWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  w.onmessage = (ev: MessageEvent<FromWorker>) => onMessage(ev.data);
  // A crash of the worker itself (not an error it reports): drop it, the next run makes a new one.
  w.onerror = (ev) => {
    ev.preventDefault();
    worker?.terminate();
    worker = null;
    const m = { type: 'error', kind: 'internal', message: ev.message || 'the worker stopped unexpectedly' } as const;
    if (owner === 'coloc') coloc.fail(m);
    else fail(m);
  };
  return (worker = w);
}
const send = (m: ToWorker) => getWorker().postMessage(m);

const busy = () => state.phase === 'running' || colocState.phase === 'running';
const refreshRun = () => (el.run.disabled = !state.source || !hasWebGpu() || busy());
const coloc = initColocTab({
  send: (m) => {
    if (m.type === 'coloc') owner = 'coloc';
    send(m);
  },
  busy,
  changed: refreshRun,
});

/** The page's state for the end-to-end tests, and their hook that loses the running engine's device. */
Object.assign(globalThis, { __msinet: Object.assign(state, { coloc: colocState, loseDevice: () => send({ type: 'lose-device' }) }) });

// ---------- tabs ----------
for (const name of ['segment', 'coloc'] as const)
  $<HTMLButtonElement>(`tab-btn-${name}`).onclick = () => {
    for (const other of ['segment', 'coloc'] as const) {
      $(`tab-${other}`).hidden = other !== name;
      $(`tab-btn-${other}`).setAttribute('aria-selected', String(other === name));
    }
  };

// ---------- input ----------
function choose(files: File[]): void {
  const byExt = (re: RegExp) => files.find((f) => re.test(f.name));
  const header = byExt(/\.imzml$/i), ibd = byExt(/\.ibd$/i), npy = byExt(/\.npy$/i);
  el.shapeRow.hidden = true;
  if (header && ibd) {
    state.source = { kind: 'imzml', header, ibd };
    el.chosen.textContent = `imzML: ${header.name} + ${ibd.name} (${(ibd.size / 2 ** 20).toFixed(1)} MiB)`;
  } else if (npy) {
    state.source = { kind: 'npy', file: npy, shape: null };
    el.chosen.textContent = `.npy: ${npy.name}`;
    el.shapeRow.hidden = false; // read only when the array turns out to be 2-D
  } else {
    state.source = null;
    el.chosen.textContent = header ? `${header.name}: also choose its .ibd file (select both at once)` : ibd ? `${ibd.name}: also choose its .imzML file` : 'Choose an .imzML + .ibd pair or an .npy file.';
  }
  refreshRun();
}
wireFileDrop(el.files, el.drop, choose);
el.simulated.onclick = () => {
  state.source = { kind: 'simulated', width: 48, height: 48, seed: 0 };
  el.chosen.textContent = 'Simulated example: 48 x 48 processed imzML, 4 regions (as `npm run demo`).';
  el.shapeRow.hidden = true;
  refreshRun();
};

// The form starts at the CLI's defaults (model/defaults.ts, io/preprocess-defaults.ts), so the two cannot drift apart.
for (const [name, value] of Object.entries({ ...SEGMENT_PREPROCESS_DEFAULTS, ...SEGMENT_DEFAULTS })) {
  const field = el.options.elements.namedItem(name);
  if (field instanceof HTMLInputElement && field.type === 'checkbox') continue;
  if (field instanceof HTMLInputElement || field instanceof HTMLSelectElement) field.value = String(value);
}
(el.options.elements.namedItem('sqrt') as HTMLInputElement).checked = SEGMENT_PREPROCESS_DEFAULTS.transform === 'sqrt';

function readOptions(): RunOptions {
  const f = new FormData(el.options);
  const n = (k: string) => Number(f.get(k));
  const s = <T extends string>(k: string) => String(f.get(k)) as T;
  return {
    seed: n('seed'), maxIter: n('maxIter'), minLabels: n('minLabels'), restarts: n('restarts'), refine: n('refine'),
    superpixels: s('superpixels'), reduce: s('reduce'), contrast: s('contrast'),
    topK: n('topK'), binWidth: n('binWidth'), binUnit: s('binUnit'), normalize: s('normalize'), sqrt: f.get('sqrt') !== null,
  };
}

// ---------- run ----------
el.run.onclick = () => {
  let source = state.source!;
  if (source.kind === 'npy') {
    const m = /^\s*(\d+)\s*[,x ]\s*(\d+)\s*$/i.exec(el.shape.value);
    source = { ...source, shape: m ? [Number(m[1]), Number(m[2])] : null };
  }
  Object.assign(state, { phase: 'running', losses: [], counts: [], result: null, error: '' });
  el.error.hidden = true;
  el.downloads.hidden = true;
  el.ion.hidden = true;
  el.run.disabled = true;
  el.stop.disabled = false;
  el.progress.removeAttribute('value');
  owner = 'segment';
  send({ type: 'run', source, options: readOptions() });
  coloc.refresh();
};
el.stop.onclick = () => {
  send({ type: 'stop' });
  el.stop.disabled = true;
  el.status.textContent = 'stopping after this iteration...';
};

function fail(m: Extract<FromWorker, { type: 'error' }>): void {
  state.phase = 'error';
  state.error = m.message;
  const prefix = { 'no-webgpu': '', input: 'Cannot read this input: ', gpu: 'GPU error: ', internal: 'Unexpected error: ', stopped: 'Stopped: ' }[m.kind];
  const after = m.kind === 'no-webgpu' ? `\n\n${WEBGPU_HOWTO}` : m.kind === 'input' ? '' : '\nYou can press Run again.';
  el.error.textContent = prefix + m.message + after;
  el.error.hidden = false;
  el.status.textContent = '';
  el.progress.value = 0;
  el.stop.disabled = true;
  refreshRun();
  coloc.refresh();
}

function onMessage(m: FromWorker): void {
  // A coloc run's messages, and answers to its queries, go to its tab.
  if (['phase', 'coloc-done', 'query', 'query-error'].includes(m.type) || (owner === 'coloc' && (m.type === 'status' || m.type === 'error') && colocState.phase === 'running'))
    return coloc.onMessage(m);
  switch (m.type) {
    case 'status':
      el.status.textContent = m.text;
      break;
    case 'reading':
      el.progress.max = m.total;
      el.progress.value = m.done;
      el.status.textContent = `reading spectra ${m.done} / ${m.total}`;
      break;
    case 'iteration':
      if (m.iteration === 1) (state.losses = []), (state.counts = []); // each restart has its own curve
      state.losses[m.iteration - 1] = m.loss;
      state.counts[m.iteration - 1] = m.labels;
      el.progress.max = m.total;
      el.progress.value = m.iteration;
      el.status.textContent = `${m.restarts > 1 ? `restart ${m.restart + 1} / ${m.restarts}, ` : ''}iteration ${m.iteration} / ${m.total}: ${m.labels} labels, loss ${m.loss.toFixed(4)}`;
      linePlot(el.lossPlot, [{ values: state.losses, color: '#c0392b', label: 'loss' }, { values: state.counts, color: '#2471a3', label: 'labels' }], m.total);
      if (m.map) drawLabels(el.seg, m.map, m.height, m.width);
      break;
    case 'done':
      finish(m);
      break;
    case 'ion':
      drawGray(el.ionImage, m.image, m.height, m.width);
      el.ionStatus.textContent = `m/z ${m.mz} ± ${m.tolerance}`;
      el.ionShow.disabled = false;
      break;
    case 'ion-error':
      el.ionStatus.textContent = m.message;
      el.ionShow.disabled = false;
      break;
    case 'error':
      if (state.phase === 'running') fail(m);
      break;
  }
}

function finish(m: Extract<FromWorker, { type: 'done' }>): void {
  state.phase = 'done';
  state.result = m;
  const r = m.report;
  state.colors = drawLabels(el.seg, m.labels, m.height, m.width);
  el.progress.max = 1;
  el.progress.value = 1;
  el.status.textContent =
    `${r.labels} segments after ${r.iterations} iterations${r.stopped ? ' (stopped)' : ''} in ${r.timings.total.toFixed(1)} s` +
    (r.silhouette !== null ? `, silhouette ${r.silhouette.toFixed(3)}` : '') + `; adapter ${r.adapter}`;
  setDownload($('dl-labels'), m.files.labelsNpy, 'application/octet-stream');
  setDownload($('dl-png'), m.files.png, 'image/png');
  setDownload($('dl-confidence-npy'), m.files.confidenceNpy, 'application/octet-stream');
  setDownload($('dl-confidence-png'), m.files.confidencePng, 'image/png');
  setDownload($('dl-report'), m.files.reportJson, 'application/json');
  el.downloads.hidden = false;
  el.stop.disabled = true;
  refreshRun();
  coloc.refresh();
  if (m.canIon && m.segments.mz) {
    el.ionList.replaceChildren(...Array.from(m.segments.mz, (v) => Object.assign(document.createElement('option'), { value: v.toFixed(4) })));
    el.ionMz.value ||= m.segments.mz[mostContrasted(m.segments)]!.toFixed(4);
    el.ion.hidden = false;
  }
}

/**
 * The feature whose segment means spread most around its overall mean (between-segment sum of
 * squares, pixel-weighted): a region-specific peak, a good first ion image. Not relative to
 * the mean, which would favour a noise peak seen in a few pixels.
 */
function mostContrasted(s: Segments): number {
  const total = s.counts.reduce((a, b) => a + b, 0);
  let best = 0, bestScore = -1;
  for (let j = 0; j < s.channels; j++) {
    let grand = 0;
    for (let l = 0; l < s.counts.length; l++) grand += (s.counts[l]! * s.means[l * s.channels + j]!) / total;
    let score = 0;
    for (let l = 0; l < s.counts.length; l++) score += s.counts[l]! * (s.means[l * s.channels + j]! - grand) ** 2;
    if (score > bestScore) (best = j), (bestScore = score);
  }
  return best;
}

// ---------- hover and ion images ----------
el.seg.onmousemove = (ev) => {
  const res = state.result;
  if (!res) return;
  const p = pixelAt(el.seg, ev, res.height, res.width);
  const label = p === null ? -1 : res.labels[p]!;
  if (label < 0) return void (el.hover.textContent = p === null ? '' : 'no pixel here (masked out)');
  showSegment(res.segments, label);
};

function showSegment(s: Segments, label: number): void {
  const c = state.colors.get(label) ?? [0, 0, 0];
  el.hover.innerHTML = `<b style="color:rgb(${c.join(',')})">&#9632;</b> segment ${label}: ${s.counts[label]} pixels; mean spectrum:`;
  const y = s.means.subarray(label * s.channels, (label + 1) * s.channels);
  const x = s.mz ?? Float64Array.from({ length: s.channels }, (_, j) => j);
  stickPlot(el.spectrum, x, y, `rgb(${c.join(',')})`, s.mz ? 'm/z' : 'feature');
}

el.ionShow.onclick = () => {
  const mz = Number(el.ionMz.value), tolerance = Number(el.ionTol.value);
  if (!(mz > 0) || !(tolerance > 0)) return void (el.ionStatus.textContent = 'type an m/z and a tolerance above 0');
  el.ionShow.disabled = true;
  el.ionStatus.textContent = 'reading spectra...';
  send({ type: 'ion', mz, tolerance });
};

// ---------- WebGPU check ----------
// navigator.gpu can exist with no adapter behind it (a blocklisted GPU, a disabled flag): ask.
async function checkWebGpu(): Promise<void> {
  const adapter = hasWebGpu() ? await navigator.gpu.requestAdapter().catch(() => null) : null;
  if (adapter) return;
  el.noWebgpu.textContent = noWebGpuMessage();
  el.noWebgpu.hidden = false;
  el.run.disabled = true;
  el.simulated.disabled = true;
  $<HTMLButtonElement>('c-run').disabled = true;
  $<HTMLButtonElement>('c-simulated').disabled = true;
}
void checkWebGpu();
