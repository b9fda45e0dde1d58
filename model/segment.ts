// segment(): the whole MSInet pipeline on a pixel x feature matrix, used by the CLI and the
// browser app alike (no file access here). Steps: checks -> optional TIC / sqrt -> reduction to
// 3 components when C > 3 (PCA on the GPU, UMAP, or none) -> per-feature min-max to [0, 1] ->
// superpixels on that image -> MSInet training (model/msinet) -> labels renumbered 0..K-1.
import { describeAdapter, type Runtime } from '../engine/index.ts';
import { assertFinite, InputError, minMaxScale, sqrtTransform, ticNormalize } from './features.ts';
import { SEGMENT_DEFAULTS as D } from './defaults.ts';
import { agreementWith, consensusLabels } from './consensus.ts';
import { refineLabels } from './refine.ts';
import { adjustedRandIndex, normalizedMutualInfo, silhouetteScore } from './metrics.ts';
import { DEFAULT_TRAIN, trainMsinet, type TrainOptions } from './msinet/train.ts';
import { pcaReduce } from './reduce/pca.ts';
import { umapReduce } from './reduce/umap.ts';
import { felzenszwalb } from './superpixels/felzenszwalb.ts';
import { slic } from './superpixels/slic.ts';
import { fillMasked, SPARSE_MODES, usesFill } from './sparse.ts';

export interface SegmentInput {
  /** Row-major [height * width, channels]; rows of masked-out pixels are ignored. */
  features: Float32Array;
  height: number;
  width: number;
  channels: number;
  /** Optional H*W mask, 1 = a pixel to segment. Masked-out pixels get label -1. */
  mask?: Uint8Array;
}

export interface SegmentOptions extends Partial<Omit<TrainOptions, 'weights' | 'augment' | 'minLabels'>> {
  weights?: Partial<TrainOptions['weights']>;
  /**
   * The number of segments: training stops once the argmax has this many labels or fewer, and
   * the restarts' consensus has this many groups. 'auto' picks 2-12 from the consensus.
   */
  minLabels?: number | 'auto';
  /** Trainings from seeds derived from `seed` (restart 0 uses `seed` itself), combined into one answer. */
  restarts?: number;
  /** Boundary refinement strength (model/refine.ts: Potts weight of one agreeing neighbour); 0 = off. */
  refine?: number;
  superpixels?: 'slic' | 'felzenszwalb';
  nSegments?: number;
  compactness?: number;
  felzenszwalb?: { scale?: number; sigma?: number; minSize?: number };
  reduce?: 'pca' | 'umap' | 'none';
  components?: number;
  tic?: boolean;
  sqrt?: boolean;
  /** The reference divides the [0, 1] input by 255 before the network (see METHOD.md). */
  inputScale?: number;
  /** Ground-truth labels per pixel (H*W); adds ARI and NMI to the report. */
  truth?: ArrayLike<number>;
  silhouetteSample?: number;
  onProgress?: (
    phase: string,
    info: { iteration?: number; total?: number; labels?: number; loss?: number; readLabels?: () => Promise<Int32Array>; restart?: number; restarts?: number },
  ) => void;
  /** Stops training after the current iteration (e.g. a Stop button); the result is then computed as usual. */
  signal?: { readonly aborted: boolean };
}

export interface SegmentReport {
  parameters: Record<string, unknown>;
  seed: number;
  adapter: string;
  height: number;
  width: number;
  pixels: number;
  inputChannels: number;
  reduction: { method: string; components: number; explainedVariance?: number[] };
  superpixels: { method: string; count: number };
  iterations: number;
  labels: number;
  timings: { preprocess: number; superpixels: number; training: number; total: number };
  loss: number[];
  labelCounts: number[];
  /** One entry per training (restart 0 first): its seed, iterations, label count, agreement (ARI) with the result. */
  restarts: { seed: number; iterations: number; labels: number; agreement: number; ari?: number }[];
  consensus: ConsensusSummary;
  /** The boundary refinement: its beta (0 = off), the pixels it moved, and with truth the ARI before it. */
  refinement: { beta: number; changed: number; ariBefore?: number };
  ari?: number;
  nmi?: number;
  /**
   * With truth: the scores the other final-labels rule (TrainOptions.finalLabels) would have
   * given on the same run, so the two rules can be compared without training twice.
   */
  otherFinalLabels?: { rule: 'stop' | 'forward'; labels: number; ari: number; nmi: number };
  silhouette: number | null;
  constantFeatures: number[];
  /** True when options.signal stopped training before the stopping rule or maxIter. */
  stopped?: boolean;
}

export interface ConsensusSummary {
  /** How the restarts were combined: 'single' (one restart) or 'co-association' (average linkage). */
  method: 'single' | 'co-association';
  /** Mean ARI between all pairs of restarts: 1 = every restart found the same partition. */
  stability: number;
  /** Distinct label tuples the linkage ran on. */
  atoms: number;
  /** With --min-labels auto: the silhouette of the consensus for each candidate label count, and the pick. */
  auto?: { range: [number, number]; curve: { k: number; silhouette: number }[]; picked: number };
}

interface RestartReport {
  seed: number;
  iterations: number;
  labels: number;
  loss: number[];
  labelCounts: number[];
}

export interface SegmentResult {
  /** Row-major H*W, 0..K-1, -1 where masked out. */
  labels: Int32Array;
  /** Per pixel, the fraction of restarts that agree with the label there (1 with one restart; NaN masked). */
  confidence: Float32Array;
  /** Each restart's own labels (0..K-1, -1 masked), restart 0 first. */
  restartLabels: Int32Array[];
  /** The [0, 1]-scaled network features [H*W, components] (for CSV summaries). */
  embedding: Float32Array;
  embeddingChannels: number;
  report: SegmentReport;
}

const now = () => performance.now();

/** What the network sees, and what the report needs to say about how it was made. */
export interface NetworkInput {
  /** The [0, 1]-scaled network input on the full grid, [H*W, k]; masked-out pixels are 0. */
  image: Float32Array;
  k: number;
  /** The preprocessed features of the pixels in the mask (before reduction), [m, channels]. */
  x: Float32Array;
  rows: number[] | null;
  m: number;
  inMask: (i: number) => boolean;
  constant: number[];
  explained?: number[];
  method: string;
}

/**
 * The checks and the preprocessing of segment(), up to the network input: TIC / sqrt, the
 * reduction, min-max scaling. Exported for studies of the preprocessing (bench/preprocess.ts).
 */
export async function networkInput(rt: Runtime, input: SegmentInput, options: SegmentOptions = {}): Promise<NetworkInput> {
  const { height, width, channels } = input;
  const n = height * width;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1)
    throw new InputError(`image size ${height}x${width} is not valid`);
  if (n < 2) throw new InputError(`a ${height}x${width} image has ${n} pixel: segmentation needs at least 2 pixels`);
  if (!Number.isInteger(channels) || channels < 1) throw new InputError(`the input has ${channels} features`);
  if (input.features.length !== n * channels)
    throw new InputError(`${input.features.length} values do not make a ${height}x${width} image with ${channels} features`);
  const mask = input.mask;
  if (mask && mask.length !== n) throw new InputError(`mask has ${mask.length} pixels, the image ${n}`);
  const inMask = (i: number) => !mask || mask[i] !== 0;
  const kept = mask ? Array.from({ length: n }, (_, i) => i).filter(inMask) : null;
  if (kept && kept.length < 2) throw new InputError(`only ${kept.length} pixel(s) in the mask: nothing to segment`);

  const opts = resolveOptions(options);
  assertFinite(input.features, n, channels, 'input features');

  // --- preprocessing on the pixels in the mask ---
  const rows = kept ?? null;
  const m = rows ? rows.length : n;
  let x = rows ? gatherRowsCpu(input.features, rows, channels) : input.features;
  if (opts.tic) x = ticNormalize(x, m, channels);
  if (opts.sqrt) x = sqrtTransform(x, channels);
  let reduced = x, k = channels, explained: number[] | undefined, method = 'none';
  if (channels > opts.components && opts.reduce !== 'none') {
    method = opts.reduce;
    options.onProgress?.('reduce', {});
    if (opts.reduce === 'pca') {
      const p = await pcaReduce(rt, x, m, channels, opts.components);
      reduced = p.scores;
      explained = p.explained;
    } else {
      reduced = umapReduce(x, m, channels, { components: opts.components, seed: opts.seed });
    }
    k = opts.components;
  }
  const { scaled, constant } = minMaxScale(reduced, m, k);
  if (constant.length === k) throw new InputError('every feature is constant over the image: there is nothing to segment');
  // Back onto the full grid; masked-out pixels sit at 0 (the background value after scaling).
  const image = rows ? scatterRowsCpu(scaled, rows, k, n) : scaled;
  return { image, k, x, rows, m, inMask, constant, ...(explained ? { explained } : {}), method };
}

export async function segment(rt: Runtime, input: SegmentInput, options: SegmentOptions = {}): Promise<SegmentResult> {
  const t0 = now();
  const { height, width, channels } = input;
  const n = height * width;
  const mask = input.mask;
  const { image: measured, k, x, rows, m, inMask, constant, explained, method } = await networkInput(rt, input, options);
  const opts = resolveOptions(options);
  // Sparse acquisitions: unmeasured pixels filled from measured neighbours before the superpixels and the network.
  const image = mask && usesFill(opts.train.sparse) ? fillMasked(measured, mask, height, width, k) : measured;
  const tPre = now();

  // --- superpixels ---
  options.onProgress?.('superpixels', {});
  if (opts.superpixels === 'slic' && opts.nSegments > n)
    throw new InputError(`--n-segments ${opts.nSegments} is more than the ${n} pixels of the image`);
  const sp =
    opts.superpixels === 'slic'
      ? await slic(rt, image, height, width, { nSegments: opts.nSegments, compactness: opts.compactness })
      : felzenszwalb(image, height, width, opts.felzenszwalb);
  const tSp = now();

  // --- training: one or several restarts, then their consensus ---
  const maps: Int32Array[] = [];
  const others: Int32Array[] = [];
  const runs: RestartReport[] = [];
  for (let r = 0; r < opts.restarts; r++) {
    const seed = restartSeed(opts.train.seed, r);
    const train = await trainMsinet(
      rt,
      { x: image, height, width, channels: k, superpixels: sp.labels, inputScale: opts.inputScale, ...(mask ? { mask } : {}) },
      { ...opts.train, seed },
      (info) =>
        options.onProgress?.('train', {
          iteration: info.iteration,
          total: opts.train.maxIter,
          labels: info.labels,
          loss: info.loss,
          readLabels: info.readLabels,
          restart: r,
          restarts: opts.restarts,
        }),
      { otherLabels: options.truth !== undefined && opts.restarts === 1, ...(options.signal ? { signal: options.signal } : {}) },
    );
    const labels = renumber(train.labels, inMask);
    maps.push(labels);
    if (train.otherLabels) others.push(renumber(train.otherLabels, inMask));
    runs.push({ seed, iterations: train.iterations, labels: countLabels(labels), loss: train.losses, labelCounts: train.labelCounts });
    if (options.signal?.aborted) break;
  }
  const cons = combineRestarts(maps, opts.minLabels, { x: image, dim: k, seed: opts.train.seed });
  const tTrain = now();

  // Boundary refinement (model/refine.ts); the confidence is recomputed for the labels returned.
  const refined = opts.refine > 0 ? refineLabels(image, k, cons.labels, height, width, { beta: opts.refine }) : { labels: cons.labels, changed: 0 };
  const labels = refined.labels;
  const confidence = refined.changed ? agreementWith(maps, labels, countLabels(labels)).confidence : cons.confidence;
  const nLabels = countLabels(labels);
  const first = runs[0]!;
  const report: SegmentReport = {
    parameters: publicParameters(opts),
    seed: opts.train.seed,
    adapter: describeAdapter(rt.ctx.report),
    height,
    width,
    pixels: m,
    inputChannels: channels,
    reduction: { method, components: k, ...(explained ? { explainedVariance: explained } : {}) },
    superpixels: { method: opts.superpixels, count: sp.count },
    iterations: runs.reduce((a, r) => a + r.iterations, 0),
    labels: nLabels,
    timings: { preprocess: 0, superpixels: 0, training: 0, total: 0 },
    loss: first.loss,
    labelCounts: first.labelCounts,
    restarts: runs.map(({ loss: _l, labelCounts: _c, ...r }, i) => ({ ...r, agreement: cons.agreement[i]! })),
    consensus: cons.summary,
    refinement: { beta: opts.refine, changed: refined.changed },
    silhouette: null,
    constantFeatures: constant,
    ...(options.signal?.aborted ? { stopped: true } : {}),
  };
  if (options.truth) {
    if (options.truth.length !== n) throw new InputError(`truth has ${options.truth.length} labels, the image has ${n} pixels`);
    const t = rows ? rows.map((i) => options.truth![i]!) : Array.from(options.truth);
    const inRows = (l: Int32Array) => (rows ? rows.map((i) => l[i]!) : Array.from(l));
    report.ari = adjustedRandIndex(t, inRows(labels));
    report.refinement.ariBefore = adjustedRandIndex(t, inRows(cons.labels));
    report.nmi = normalizedMutualInfo(t, inRows(labels));
    report.restarts.forEach((r, i) => (r.ari = adjustedRandIndex(t, inRows(maps[i]!))));
    if (others.length) {
      const q = inRows(others[0]!);
      report.otherFinalLabels = {
        rule: opts.train.finalLabels === 'stop' ? 'forward' : 'stop',
        labels: new Set(q).size,
        ari: adjustedRandIndex(t, q),
        nmi: normalizedMutualInfo(t, q),
      };
    }
  }
  // The silhouette is defined for 2 <= labels <= pixels - 1 (a 3-pixel image may end with 3 labels).
  if (nLabels >= 2 && nLabels <= m - 1) {
    // Silhouette in the preprocessed feature space (before reduction), sampled and seeded.
    const p = rows ? rows.map((i) => labels[i]!) : Array.from(labels);
    report.silhouette = silhouetteScore(x, p, channels, { sampleSize: opts.silhouetteSample, seed: opts.train.seed });
  }
  const tEnd = now();
  report.timings = {
    preprocess: (tPre - t0) / 1000,
    superpixels: (tSp - tPre) / 1000,
    training: (tTrain - tSp) / 1000,
    total: (tEnd - t0) / 1000,
  };
  return { labels, confidence, restartLabels: maps, embedding: image, embeddingChannels: k, report };
}

interface Resolved {
  train: TrainOptions;
  restarts: number;
  refine: number;
  /** The consensus' group count, or the range 'auto' chooses from. */
  minLabels: number | 'auto';
  superpixels: 'slic' | 'felzenszwalb';
  nSegments: number;
  compactness: number;
  felzenszwalb: { scale?: number; sigma?: number; minSize?: number };
  reduce: 'pca' | 'umap' | 'none';
  components: number;
  tic: boolean;
  sqrt: boolean;
  inputScale: number;
  silhouetteSample: number;
  seed: number;
}

/** Checks the options as segment() would, without any work: callers validate before reading input. */
export function validateSegmentOptions(options: SegmentOptions): void {
  resolveOptions(options);
}

function positiveInt(name: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new InputError(`${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

function resolveOptions(o: SegmentOptions): Resolved {
  const minLabels = o.minLabels ?? DEFAULT_TRAIN.minLabels;
  if (minLabels !== 'auto') positiveInt('--min-labels', minLabels);
  const train: TrainOptions = {
    ...DEFAULT_TRAIN,
    ...Object.fromEntries(Object.entries(o).filter(([key, v]) => v !== undefined && key in DEFAULT_TRAIN)),
    weights: { ...DEFAULT_TRAIN.weights, ...(o.weights ?? {}) },
    augment: DEFAULT_TRAIN.augment,
    minLabels: minLabels === 'auto' ? AUTO_LABELS.train : minLabels,
  } as TrainOptions;
  positiveInt('--max-iter', train.maxIter);
  const restarts = positiveInt('--restarts', o.restarts ?? D.restarts);
  if (minLabels === 'auto' && restarts < 2) throw new InputError('--min-labels auto chooses from the consensus of restarts: it needs --restarts 2 or more');
  positiveInt('--seed', train.seed, 0);
  // The generators hash seed >>> 0: larger seeds would silently collide with smaller ones.
  if (train.seed > 2 ** 32 - 1) throw new InputError(`--seed must be below 2^32 (4294967296), got ${train.seed}`);
  if (!(train.lr > 0)) throw new InputError(`learning rate must be > 0, got ${train.lr}`);
  if (train.finalLabels !== 'stop' && train.finalLabels !== 'forward')
    throw new InputError(`--final-labels must be stop or forward, got ${train.finalLabels}`);
  if (!(SPARSE_MODES as readonly string[]).includes(train.sparse)) throw new InputError(`--sparse must be one of ${SPARSE_MODES.join(', ')}, got ${train.sparse}`);
  if (train.contrast !== 'patch' && train.contrast !== 'infonce') throw new InputError(`--contrast must be patch or infonce, got ${train.contrast}`);
  // InfoNCE divides similarities by the temperature: 0 gives Inf/NaN losses, not an error.
  if (!(train.temperature > 0 && Number.isFinite(train.temperature))) throw new InputError(`--temperature must be a positive number, got ${train.temperature}`);
  const superpixels = o.superpixels ?? D.superpixels;
  if (superpixels !== 'slic' && superpixels !== 'felzenszwalb') throw new InputError(`--superpixels must be slic or felzenszwalb, got ${superpixels}`);
  const reduce = o.reduce ?? D.reduce;
  if (!['pca', 'umap', 'none'].includes(reduce)) throw new InputError(`--reduce must be pca, umap or none, got ${reduce}`);
  const compactness = o.compactness ?? D.compactness;
  if (!(compactness > 0)) throw new InputError(`--compactness must be > 0, got ${compactness}`);
  const refine = o.refine ?? D.refine;
  if (!(refine >= 0 && Number.isFinite(refine))) throw new InputError(`--refine must be a number >= 0 (0 = off), got ${refine}`);
  return {
    train,
    restarts,
    refine,
    minLabels,
    superpixels,
    nSegments: positiveInt('--n-segments', o.nSegments ?? D.nSegments),
    compactness,
    felzenszwalb: o.felzenszwalb ?? {},
    reduce,
    components: positiveInt('components', o.components ?? D.components),
    tic: o.tic ?? D.tic,
    sqrt: o.sqrt ?? D.sqrt,
    inputScale: o.inputScale ?? D.inputScale,
    silhouetteSample: o.silhouetteSample ?? 2000,
    seed: train.seed,
  };
}

function publicParameters(r: Resolved): Record<string, unknown> {
  const { augment, ...train } = r.train;
  return {
    ...train,
    minLabels: r.minLabels,
    restarts: r.restarts,
    refine: r.refine,
    ...(r.train.contrast === 'infonce' ? { augment } : {}),
    superpixels: r.superpixels,
    ...(r.superpixels === 'slic' ? { nSegments: r.nSegments, compactness: r.compactness } : { felzenszwalb: { scale: 3, sigma: 0.8, minSize: 9, ...r.felzenszwalb } }),
    reduce: r.reduce,
    components: r.components,
    tic: r.tic,
    sqrt: r.sqrt,
    inputScale: r.inputScale,
  };
}

/**
 * --min-labels auto: each restart trains until at most `train` labels remain (an over-segmentation),
 * then the consensus is cut at every count in [lo, hi] and the cut with the highest silhouette in
 * the network's input features wins. (The widest gap in the consensus dendrogram was tried first:
 * restarts that over-segment disagree completely on many atom pairs, so the top merges all sit at
 * distance 1 and the gap said nothing; on a two-region test image it picked 5.)
 */
export const AUTO_LABELS = { train: 8, lo: 2, hi: 12, minGroup: 0.05 } as const;

/** Restart r's seed: r = 0 keeps the user's seed (so --restarts 1 is the single run), others are hashed from it. */
export function restartSeed(seed: number, r: number): number {
  if (r === 0) return seed;
  let h = (seed ^ Math.imul(r, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function countLabels(labels: Int32Array): number {
  let k = 0;
  for (const l of labels) k = Math.max(k, l + 1);
  return k;
}

/** One restart: its labels as they are. Several: the co-association consensus (model/consensus.ts). */
function combineRestarts(
  maps: Int32Array[],
  minLabels: number | 'auto',
  features: { x: Float32Array; dim: number; seed: number },
): { labels: Int32Array; confidence: Float32Array; agreement: number[]; summary: ConsensusSummary } {
  if (maps.length === 1) {
    const labels = maps[0]!;
    const confidence = Float32Array.from(labels, (l) => (l < 0 ? NaN : 1));
    return { labels, confidence, agreement: [1], summary: { method: 'single', stability: 1, atoms: countLabels(labels) } };
  }
  let c: ReturnType<typeof consensusLabels>;
  let auto: ConsensusSummary['auto'];
  if (minLabels === 'auto') {
    const curve: { k: number; silhouette: number }[] = [];
    const cuts: ReturnType<typeof consensusLabels>[] = [];
    for (let g = AUTO_LABELS.lo; g <= AUTO_LABELS.hi; g++) {
      const cut = consensusLabels(maps, g, { minAtomFraction: AUTO_LABELS.minGroup });
      if (cut.k < g) break; // fewer distinct atoms than g: no finer cut exists
      cuts.push(cut);
      curve.push({ k: g, silhouette: silhouetteScore(features.x, cut.labels, features.dim, { sampleSize: 1000, seed: features.seed }) });
    }
    // The cut with the highest silhouette, kept from the loop (the first on ties).
    let best = 0;
    for (let i = 1; i < curve.length; i++) if (curve[i]!.silhouette > curve[best]!.silhouette + 1e-9) best = i;
    c = cuts[best] ?? consensusLabels(maps, AUTO_LABELS.lo, { minAtomFraction: AUTO_LABELS.minGroup });
    auto = { range: [AUTO_LABELS.lo, AUTO_LABELS.hi], curve, picked: curve[best]?.k ?? AUTO_LABELS.lo };
  } else c = consensusLabels(maps, minLabels);
  return {
    labels: c.labels,
    confidence: c.confidence,
    agreement: c.agreement,
    summary: { method: 'co-association', stability: c.stability, atoms: c.atoms, ...(auto ? { auto } : {}) },
  };
}

/** Labels renumbered 0..K-1 in order of first appearance (row-major); -1 outside the mask. */
export function renumber(raw: Int32Array, inMask: (i: number) => boolean): Int32Array {
  const map = new Map<number, number>();
  const out = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    if (!inMask(i)) {
      out[i] = -1;
      continue;
    }
    let v = map.get(raw[i]!);
    if (v === undefined) map.set(raw[i]!, (v = map.size));
    out[i] = v;
  }
  return out;
}

function gatherRowsCpu(x: Float32Array, rows: number[], c: number): Float32Array {
  const out = new Float32Array(rows.length * c);
  rows.forEach((r, i) => out.set(x.subarray(r * c, r * c + c), i * c));
  return out;
}

function scatterRowsCpu(x: Float32Array, rows: number[], c: number, n: number): Float32Array {
  const out = new Float32Array(n * c);
  rows.forEach((r, i) => out.set(x.subarray(i * c, i * c + c), r * c));
  return out;
}
