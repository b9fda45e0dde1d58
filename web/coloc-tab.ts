// The coloc tab: choose an ion image stack (.npy, imzML pair, or the simulator's), set the main
// options of `msinet coloc`, Run in the shared worker (web/worker.ts) with one progress bar per
// phase, Stop, then the montage, the clusters table, the query (the 10 images most colocalized
// with one, by the learned and the baseline score) and the downloads of the CLI's files.
import { labelPalette } from '../io/png.ts';
import type { ColocDone, ColocRunOptions, ColocSource, FromWorker, ToWorker } from './messages.ts';
import { hasWebGpu, WEBGPU_HOWTO } from './no-webgpu.ts';
import { linePlot } from './plot.ts';
import { setDownload, wireFileDrop } from './view.ts';

export interface ColocTabHost {
  send(m: ToWorker): void;
  /** Whether a run (of either tab) is in progress. */
  busy(): boolean;
  /** Called when this tab's run starts or ends, so the other tab's Run follows. */
  changed(): void;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** What the tab holds; `window.__msinet.coloc` exposes it to the end-to-end test. */
export const colocState = {
  phase: 'idle' as 'idle' | 'running' | 'done' | 'error',
  source: null as ColocSource | null,
  result: null as ColocDone | null,
  losses: [] as number[],
  /** The last query's answer, or its error. */
  query: null as { title: string; rows: Extract<FromWorker, { type: 'query' }>['rows'] } | { error: string } | null,
  error: '',
  errorKind: '',
};

export function initColocTab(host: ColocTabHost): { onMessage(m: FromWorker): void; fail(m: Extract<FromWorker, { type: 'error' }>): void; refresh(): void } {
  const el = {
    drop: $<HTMLDivElement>('c-drop'),
    files: $<HTMLInputElement>('c-files'),
    simulated: $<HTMLButtonElement>('c-simulated'),
    simImages: $<HTMLInputElement>('c-sim-images'),
    simGroups: $<HTMLInputElement>('c-sim-groups'),
    simSize: $<HTMLInputElement>('c-sim-size'),
    simSeed: $<HTMLInputElement>('c-sim-seed'),
    chosen: $<HTMLDivElement>('c-chosen'),
    npyRow: $<HTMLDivElement>('c-npy-row'),
    layout: $<HTMLSelectElement>('c-layout'),
    shape: $<HTMLInputElement>('c-shape'),
    options: $<HTMLFormElement>('c-options'),
    run: $<HTMLButtonElement>('c-run'),
    stop: $<HTMLButtonElement>('c-stop'),
    status: $<HTMLSpanElement>('c-status'),
    phases: $<HTMLDivElement>('c-phases'),
    error: $<HTMLDivElement>('c-error'),
    results: $<HTMLDivElement>('c-results'),
    montage: $<HTMLImageElement>('c-montage'),
    loss: $<HTMLCanvasElement>('c-loss'),
    query: $<HTMLInputElement>('c-query'),
    queryGo: $<HTMLButtonElement>('c-query-go'),
    queryTitle: $<HTMLDivElement>('c-query-title'),
    queryTable: $<HTMLTableElement>('c-query-table'),
    clusters: $<HTMLTableElement>('c-clusters'),
  };
  const state = colocState;
  const refresh = () => {
    el.run.disabled = !state.source || !hasWebGpu() || host.busy();
    el.simulated.disabled = !hasWebGpu();
  };

  // ---------- input ----------
  function choose(files: File[]): void {
    const byExt = (re: RegExp) => files.find((f) => re.test(f.name));
    const header = byExt(/\.imzml$/i), ibd = byExt(/\.ibd$/i);
    // Two .npy files: the images and, the smaller one, their m/z (as `msinet simulate --stack` writes them).
    const npys = files.filter((f) => /\.npy$/i.test(f.name)).sort((a, b) => b.size - a.size);
    const [npy, mzFile] = npys;
    el.npyRow.hidden = true;
    if (header && ibd) {
      state.source = { kind: 'imzml', header, ibd };
      el.chosen.textContent = `imzML: ${header.name} + ${ibd.name} (${(ibd.size / 2 ** 20).toFixed(1)} MiB); the top m/z bins are the images`;
    } else if (npy) {
      state.source = { kind: 'npy', file: npy, layout: 'nhw', shape: null, mzFile: mzFile ?? null }; // layout and shape read at Run
      el.chosen.textContent = `.npy: ${npy.name}` + (mzFile ? `, m/z of each image: ${mzFile.name}` : ' (pick a second, 1-D .npy with it for the m/z of each image)');
      el.npyRow.hidden = false;
    } else {
      state.source = null;
      el.chosen.textContent = header ? `${header.name}: also choose its .ibd file (select both at once)` : ibd ? `${ibd.name}: also choose its .imzML file` : 'Choose an .npy or an .imzML + .ibd pair.';
    }
    refresh();
  }
  wireFileDrop(el.files, el.drop, choose);
  el.simulated.onclick = () => {
    const images = Number(el.simImages.value), groups = Number(el.simGroups.value), size = Number(el.simSize.value), seed = Number(el.simSeed.value);
    state.source = { kind: 'simulated', images, groups, size, seed };
    el.chosen.textContent = `Simulated stack: ${images} ion images of ${size} x ${size} in ${groups} groups, seed ${seed}.`;
    el.npyRow.hidden = true;
    refresh();
  };

  /** The form's options, or a message naming the first bad one. */
  function readOptions(): ColocRunOptions | string {
    for (const input of Array.from(el.options.elements) as HTMLInputElement[])
      if (input.willValidate && !input.checkValidity()) return `${input.name}: ${input.validationMessage}`;
    const f = new FormData(el.options);
    const n = (k: string) => Number(f.get(k));
    const s = (k: string) => String(f.get(k));
    const k = String(f.get('k')).trim();
    return {
      seed: n('seed'), k: k === 'auto' || k === '' ? null : Number(k), epochs: n('epochs'), batch: n('batch'), method: s('method') as ColocRunOptions['method'],
      side: n('side'), selfLabelEpochs: n('selfLabelEpochs'),
      topK: n('topK'), binWidth: n('binWidth'), binUnit: s('binUnit') as ColocRunOptions['binUnit'], normalize: s('normalize') as ColocRunOptions['normalize'],
    };
  }

  // ---------- run ----------
  el.run.onclick = () => {
    const options = readOptions();
    if (typeof options === 'string') return fail({ type: 'error', kind: 'input', message: options }, false);
    let source = state.source!;
    if (source.kind === 'npy') {
      const m = /^\s*(\d+)\s*[,x ]\s*(\d+)\s*$/i.exec(el.shape.value);
      source = { ...source, layout: el.layout.value as 'nhw' | 'hwc', shape: m ? [Number(m[1]), Number(m[2])] : null };
    }
    Object.assign(state, { phase: 'running', result: null, losses: [], query: null, error: '', errorKind: '' });
    el.error.hidden = true;
    el.results.hidden = true;
    el.phases.replaceChildren();
    el.loss.hidden = true;
    el.stop.disabled = false;
    el.status.textContent = 'starting...';
    host.send({ type: 'coloc', source, options });
    host.changed();
  };
  el.stop.onclick = () => {
    host.send({ type: 'stop' });
    el.stop.disabled = true;
    el.status.textContent = 'stopping after this epoch...';
  };

  /** A progress bar per phase, as the CLI prints one per phase; earlier phases show complete. */
  function phaseBar(name: string, done: number, total: number, info: string): void {
    let row = el.phases.querySelector<HTMLDivElement>(`div[data-phase="${name}"]`);
    if (!row) {
      completePhases();
      row = document.createElement('div');
      row.dataset.phase = name;
      row.innerHTML = '<span class="name"></span><progress></progress> <span class="info"></span>';
      row.querySelector('.name')!.textContent = name;
      el.phases.append(row);
    }
    const bar = row.querySelector('progress')!;
    bar.max = Math.max(1, total);
    bar.value = done;
    row.querySelector('.info')!.textContent = `${done} / ${total}${info ? `: ${info}` : ''}`;
  }

  /** Shows every phase so far as complete (a phase ends when the next one starts, or the run does). */
  function completePhases(): void {
    el.phases.querySelectorAll('div').forEach((row) => {
      const bar = row.querySelector('progress')!;
      bar.value = bar.max;
      const info = row.querySelector('.info')!;
      info.textContent = info.textContent!.replace(/^\d+ \/ (\d+)/, '$1 / $1');
    });
  }

  function fail(m: Extract<FromWorker, { type: 'error' }>, ran = true): void {
    state.phase = 'error';
    state.error = m.message;
    state.errorKind = m.kind;
    const prefix = { 'no-webgpu': '', input: 'Cannot run on this input: ', gpu: 'GPU error: ', internal: 'Unexpected error: ', stopped: 'Stopped: ' }[m.kind];
    const after = m.kind === 'no-webgpu' ? `\n\n${WEBGPU_HOWTO}` : m.kind === 'gpu' || m.kind === 'internal' ? '\nYou can press Run again.' : '';
    el.error.textContent = prefix + (m.kind === 'stopped' ? 'the run ended before its result; press Run to start again.' : m.message) + after;
    el.error.hidden = false;
    el.status.textContent = '';
    el.stop.disabled = true;
    if (ran) host.changed();
    refresh();
  }

  function finish(m: ColocDone): void {
    state.phase = 'done';
    state.result = m;
    const r = m.report;
    completePhases();
    const scores = r.scores
      ? '; ARI against the simulated groups: ' + (['contrastive', 'pearson', 'cosine'] as const).map((k) => `${k} ${r.scores![k]!.ari.toFixed(3)}`).join(', ')
      : '';
    el.status.textContent =
      `${r.images} images in ${r.k} clusters (${r.method}; k ${r.eigengap.auto ? `by the eigengap, ${r.eigengap.gap.toFixed(3)}` : 'given'})` +
      `${r.selfLabel ? `, ${r.selfLabel.changed} changed cluster in self-labelling` : ''} in ${r.timings.total!.toFixed(1)} s${scores}; adapter ${r.adapter}`;
    const types: Record<string, string> = { 'clusters.csv': 'text/csv', 'montage.png': 'image/png', 'report.json': 'application/json' };
    const link: Record<string, string> = { 'clusters.npy': 'c-dl-clusters-npy', 'clusters.csv': 'c-dl-clusters-csv', 'embeddings.npy': 'c-dl-embeddings', 'montage.png': 'c-dl-montage', 'report.json': 'c-dl-report' };
    for (const [name, bytes] of Object.entries(m.files)) setDownload($(link[name]!), bytes, types[name] ?? 'application/octet-stream');
    // Thumbnails are 48 pixels: shown twice as large where the page is wide enough.
    el.montage.onload = () => (el.montage.style.width = `${2 * el.montage.naturalWidth}px`);
    el.montage.src = $<HTMLAnchorElement>('c-dl-montage').href;
    if (r.lossPerEpoch.length) linePlot(el.loss, [{ values: r.lossPerEpoch, color: '#c0392b', label: 'NT-Xent loss' }], r.lossPerEpoch.length, 'epoch');
    el.loss.hidden = r.lossPerEpoch.length === 0;
    clustersTable(m);
    el.queryTitle.textContent = '';
    el.queryTable.hidden = true;
    el.query.value = m.mz ? m.mz[0]!.toFixed(4) : '#0';
    el.results.hidden = false;
    el.stop.disabled = true;
    host.changed();
  }

  function clustersTable(m: ColocDone): void {
    const k = Math.max(...m.clusters) + 1;
    const palette = labelPalette(k);
    const body = el.clusters.tBodies[0]!;
    body.replaceChildren(
      ...Array.from(m.clusters, (c, i) => {
        const tr = document.createElement('tr');
        tr.dataset.index = String(i);
        const color = `rgb(${palette[c * 3]},${palette[c * 3 + 1]},${palette[c * 3 + 2]})`;
        tr.innerHTML = `<td>${i}</td><td>${m.mz ? m.mz[i]!.toFixed(4) : ''}</td><td><span class="swatch" style="background:${color}"></span>${c}</td><td>${m.confidence[i]!.toFixed(3)}</td>`;
        return tr;
      }),
    );
  }
  el.clusters.onclick = (ev) => {
    const tr = (ev.target as HTMLElement).closest('tr');
    if (!tr?.dataset.index) return;
    el.query.value = `#${tr.dataset.index}`;
    el.queryGo.click();
  };

  // ---------- query ----------
  el.queryGo.onclick = () => {
    el.queryTitle.textContent = 'ranking...';
    host.send({ type: 'query', query: el.query.value });
  };
  el.query.onkeydown = (ev) => void (ev.key === 'Enter' && el.queryGo.click());

  function showQuery(m: Extract<FromWorker, { type: 'query' }>): void {
    state.query = { title: m.title, rows: m.rows };
    el.queryTitle.textContent = m.title + ':';
    el.queryTable.tBodies[0]!.replaceChildren(
      ...m.rows.map((h, r) => {
        const tr = document.createElement('tr');
        tr.innerHTML = `<td>${r + 1}</td><td>${h.index}</td><td>${state.result?.mz ? h.name : ''}</td><td>${h.embedding.toFixed(4)}</td><td>${h.baseline.toFixed(4)}</td><td>${h.pearson.toFixed(4)}</td><td>${h.cluster}</td>`;
        return tr;
      }),
    );
    el.queryTable.hidden = false;
  }

  function onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'status':
        el.status.textContent = m.text;
        break;
      case 'phase': {
        phaseBar(m.phase, m.done, m.total, m.info);
        const loss = m.phase === 'training' && /loss (\S+)/.exec(m.info);
        if (loss) {
          el.loss.hidden = false;
          state.losses[m.done - 1] = Number(loss[1]);
          linePlot(el.loss, [{ values: state.losses, color: '#c0392b', label: 'NT-Xent loss' }], m.total, 'epoch');
        }
        break;
      }
      case 'coloc-done':
        finish(m);
        break;
      case 'query':
        showQuery(m);
        break;
      case 'query-error':
        state.query = { error: m.message };
        el.queryTitle.textContent = m.message;
        el.queryTable.hidden = true;
        break;
      case 'error':
        if (state.phase === 'running') fail(m);
        break;
    }
  }

  return { onMessage, fail, refresh };
}
