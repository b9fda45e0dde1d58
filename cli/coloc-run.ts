// `msinet coloc`: load -> coloc() -> write, with a progress bar per phase, clear errors and the
// query mode (the images most colocalized with one ion).
import { createEngine, describeAdapter } from '../engine/index.ts';
import { checkColocInput, coloc, queryColoc, type ColocAffinity, type ColocMethod, type ColocResult } from '../model/coloc/coloc.ts';
import { resolveQuery as resolveShared } from '../io/coloc-results.ts';
import { loadMz, loadStack, type StackLayout } from './coloc-input.ts';
import { COLOC_OUTPUTS, imageName, writeColocOutputs } from './coloc-output.ts';
import { prepareOutputDir, removeCreatedFolders } from './output-location.ts';
import { recoverResultSet } from './result-set.ts';
import { acquireRunLock } from './run-lock.ts';
import { UserError } from './errors.ts';
import { parseChoice, parseInteger, parseNumber, parseSeed } from './options.ts';
import { Progress } from './progress.ts';
import { loadTruth, parseShape } from './segment-input.ts';

type Opts = Record<string, string | boolean | undefined>;

// Optional options through the shared strict parsers (cli/options.ts: plain decimals only).
function num(name: string, v: string | boolean | undefined, integer = false): number | undefined {
  if (v === undefined) return undefined;
  return integer ? parseInteger(name, v) : parseNumber(name, v);
}

function oneOf<T extends string>(name: string, v: string | boolean | undefined, allowed: readonly T[]): T | undefined {
  return v === undefined ? undefined : parseChoice(name, v, allowed);
}

/** The image a --query names (io/coloc-results.ts's resolveQuery, with the option's name in the message). */
export function resolveQuery(q: string, n: number, mz?: Float64Array): number {
  try {
    return resolveShared(q, n, mz);
  } catch (e) {
    throw (e as Error)?.name === 'ColocInputError' ? new UserError(`--query ${(e as Error).message}`) : e;
  }
}

function printQuery(result: ColocResult, query: number, mz?: Float64Array): void {
  const hits = queryColoc(result, query, 10);
  const lines = [
    `images most colocalized with ${mz ? `m/z ${imageName(query, mz)}` : `image ${query}`} (cluster ${result.clusters[query]}):`,
    'rank  image  ' + (mz ? 'm/z        ' : '') + 'embedding-cosine  filtered-cosine  pearson  cluster',
    ...hits.map(
      (h, r) =>
        `${String(r + 1).padStart(4)}  ${String(h.index).padStart(5)}  ${mz ? imageName(h.index, mz).padEnd(11) : ''}${h.embedding.toFixed(4).padStart(16)}  ${h.baseline.toFixed(4).padStart(15)}  ${h.pearson.toFixed(4).padStart(7)}  ${String(result.clusters[h.index]).padStart(7)}`,
    ),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

export async function runColoc(path: string, o: Opts): Promise<void> {
  const quiet = Boolean(o.quiet);
  const log = (s: string) => quiet || process.stderr.write(s + '\n');
  const layout = (o.layout ?? 'hwc') as StackLayout;
  const options = {
    seed: o.seed === undefined ? undefined : parseSeed(o.seed),
    k: num('k', o.k, true),
    neighbors: num('neighbors', o.neighbors, true),
    epochs: num('epochs', o.epochs, true),
    batch: num('batch', o.batch, true),
    lr: num('lr', o.lr),
    temperature: num('temperature', o.temperature),
    side: num('side', o.side, true),
    selfLabelEpochs: num('self-label-epochs', o.selfLabelEpochs, true),
    confidence: num('confidence', o.confidence),
    clip: num('clip', o.clip),
    method: oneOf<ColocMethod>('method', o.method, ['contrastive', 'pearson', 'cosine']),
    affinity: oneOf<ColocAffinity>('affinity', o.affinity, ['combined', 'embedding']),
    geometric: o.geometric ? true : undefined,
    gamma: num('gamma', o.gamma),
  };
  // The output location is checked, created and locked before any work (cli/output-location.ts).
  const inputs = [path, ...[o.mz, o.truth].filter((v): v is string => typeof v === 'string')];
  const loc = prepareOutputDir(String(o.out ?? ''), { outputs: COLOC_OUTPUTS, inputs });
  let lock: { release(): void } | null = null;
  try {
    lock = acquireRunLock(loc.dir, 'coloc');
    for (const line of recoverResultSet(loc.dir, 'report.json')) log(`msinet: ${loc.dir}: ${line}`);
    await colocIn(loc.dir, path, o, options, layout, quiet, log);
  } catch (e) {
    if (!lock) removeCreatedFolders(loc);
    throw e;
  } finally {
    lock?.release();
  }
}

async function colocIn(
  outDir: string,
  path: string,
  o: Opts,
  options: Record<string, unknown>,
  layout: StackLayout,
  quiet: boolean,
  log: (s: string) => void,
): Promise<void> {
  const read = quiet ? null : new Progress({ total: 1, label: 'reading' });
  const loaded = await loadStack(
    path,
    layout,
    parseShape(o.shape as string | undefined),
    { topK: num('top-k', o.topK, true), binWidth: num('bin-width', o.binWidth), normalize: o.normalize as 'tic' | 'rms' | 'none' },
    read ? (d, t) => (read.setTotal(t), read.update(d)) : undefined,
  );
  read?.done();
  const { stack } = loaded;
  const mz = o.mz ? await loadMz(o.mz as string, stack.n) : loaded.mz;
  const fail = (e: unknown): never => {
    throw (e as Error)?.name === 'ColocInputError' ? new UserError(`${path}: ${(e as Error).message}`) : e;
  };
  const truth = o.truth ? await loadTruth(o.truth as string, stack.n, `the stack has ${stack.n} images`) : undefined;
  const colocOptions = { ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)), truth };
  // Bad input is reported before a device is created (nothing else on stderr).
  try {
    checkColocInput(stack, colocOptions);
  } catch (e) {
    fail(e);
  }
  const query = o.query !== undefined ? resolveQuery(String(o.query), stack.n, mz) : undefined;
  const rt = await createEngine();
  try {
    log(`msinet: ${stack.n} ion images of ${stack.height}x${stack.width}; adapter ${describeAdapter(rt.ctx.report)}`);
    const bars = new Map<string, Progress>();
    const result = await coloc(rt, stack, {
      ...colocOptions,
      onProgress: (phase, done, total, info) => {
        if (quiet) return;
        let bar = bars.get(phase);
        if (!bar) {
          for (const b of bars.values()) b.done();
          bars.set(phase, (bar = new Progress({ total, label: phase })));
        }
        bar.update(done, info ?? '');
      },
    }).catch(fail);
    for (const b of bars.values()) b.done();
    const files = await writeColocOutputs(outDir, result, result.prepared, mz);
    const r = result.report;
    const sc = r.scores
      ? '; ' + Object.entries(r.scores).filter(([m]) => ['contrastive', 'pearson', 'cosine'].includes(m)).map(([m, s]) => `${m} ARI ${s.ari.toFixed(4)} NMI ${s.nmi.toFixed(4)} purity ${s.purity.toFixed(4)}`).join('; ')
      : '';
    log(`msinet: ${r.k} clusters (${r.eigengap.auto ? `eigengap ${r.eigengap.gap.toFixed(4)}` : 'k given'}), ${r.selfLabel ? `${r.selfLabel.changed} images changed cluster in self-labelling, ` : ''}${r.timings.total!.toFixed(1)} s${sc}`);
    log(`msinet: wrote ${files.join(', ')}`);
    if (query !== undefined) printQuery(result, query, mz);
  } finally {
    await rt.destroy();
  }
}
