// coloc(): which ion images share a spatial distribution (METHOD.md section 2). No file access
// (the CLI and a browser app read files and call it), like model/segment.ts's segment().
//   prepare (clip, scale, mask) -> resize to S x S on the GPU -> SimCLR (encoder + projection,
//   NT-Xent, Adam, cosine annealing) -> embeddings -> spectral clustering -> self-labelling;
//   baselines always run beside it: Pearson + average linkage, and cosine of median-filtered
//   images + the same spectral clustering (METASPACE's recipe).
import { describeAdapter, type Runtime } from '../../engine/index.ts';
import { Random } from '../../engine/random.ts';
import { adjustedRandIndex, normalizedMutualInfo, purity } from '../metrics.ts';
import { ColocEncoder, DEFAULT_ENCODER, ProjectionHead } from './encoder.ts';
import { averageLinkage } from './hierarchical.ts';
import { checkStack, ColocInputError, prepareImages, type IonImages } from './prepare.ts';
import { selfLabel } from './self_label.ts';
import { centredCosine, cosineMatrix, medianFilter3, pearsonMatrix } from './similarity.ts';
import { embed, trainSimclr } from './simclr.ts';
import { MAX_SPECTRAL_ITEMS, spectralCluster, type SpectralResult } from './spectral.ts';
import { GEOMETRIC, imageStats, resizeToBase, STRONG, type BaseImages } from './views.ts';

export type ColocMethod = 'contrastive' | 'pearson' | 'cosine';
/** What the contrastive method clusters: the embedding's kNN graph alone, or averaged with the filtered images' kNN graph. */
export type ColocAffinity = 'embedding' | 'combined';

export interface ColocOptions {
  seed?: number;
  /** Clusters; by the eigengap of the contrastive affinity when omitted (baselines use the same k). */
  k?: number;
  neighbors?: number;
  epochs?: number;
  batch?: number;
  lr?: number;
  temperature?: number;
  side?: number;
  channels?: readonly number[];
  affinity?: ColocAffinity;
  /** Add the reference's small geometric augmentations (rotation, resized crop, translation); off by default (measured worse). */
  geometric?: boolean;
  /**
   * Largest power-law response change of a view (AugmentConfig.gamma; 1 = none; default 2): the
   * members of a group differ by their response curve, and the embedding should not.
   */
  gamma?: number;
  selfLabelEpochs?: number;
  confidence?: number;
  /** Hot-spot clipping percentile, in (0, 100]. */
  clip?: number;
  method?: ColocMethod;
  truth?: ArrayLike<number>;
  onProgress?: (phase: string, done: number, total: number, info?: string) => void;
}

export interface Scores {
  ari: number;
  nmi: number;
  purity: number;
}

export interface ColocReport {
  images: number;
  height: number;
  width: number;
  method: ColocMethod;
  parameters: Required<Omit<ColocOptions, 'truth' | 'onProgress' | 'k'>> & { k: number | null };
  seed: number;
  adapter: string;
  k: number;
  eigengap: { k: number; gap: number; auto: boolean; laplacian: number[] };
  lossPerEpoch: number[];
  selfLabel: { changed: number; confidentFraction: number[]; loss: number[]; meanConfidence: number } | null;
  timings: Record<string, number>;
  /** With truth: per method (contrastive = the final result, embedding = SimCLR + spectral before self-labelling). */
  scores?: Record<string, Scores>;
}

export interface ColocResult {
  /** Cluster per image of the chosen method, input order. */
  clusters: Int32Array;
  /** Per image: the self-labelling softmax probability (contrastive) or 1 (baselines). */
  confidence: Float32Array;
  /** [n, H*W] the images as the method saw them: clipped, scaled to [0, 1], masked pixels 0. */
  prepared: Float32Array;
  /** [n, d] learned embeddings. */
  embeddings: Float32Array;
  embeddingSize: number;
  /** Every method's clusters. */
  methods: Record<'contrastive' | 'spectral' | 'embedding' | 'pearson' | 'cosine', Int32Array>;
  /** [n*n] similarities a query reports: cosine of the centred embeddings, and of the filtered images. */
  embeddingCosine: Float64Array;
  filteredCosine: Float64Array;
  pearson: Float64Array;
  report: ColocReport;
}

function scores(truth: ArrayLike<number>, pred: ArrayLike<number>): Scores {
  return { ari: adjustedRandIndex(truth, pred), nmi: normalizedMutualInfo(truth, pred), purity: purity(truth, pred) };
}

/**
 * Every check of the input and options that needs no GPU (a caller can run it before creating
 * a device): throws ColocInputError naming the problem.
 */
export function checkColocInput(stack: IonImages, opts: ColocOptions = {}): void {
  const n = stack.n;
  checkStack(stack);
  if (n > MAX_SPECTRAL_ITEMS)
    throw new ColocInputError(`${n} images: the spectral clustering's dense eigen-solver handles at most ${MAX_SPECTRAL_ITEMS} (use --top-k to keep fewer m/z)`);
  if (opts.k !== undefined && (!Number.isInteger(opts.k) || opts.k < 2 || opts.k > n))
    throw new ColocInputError(`--k must be an integer in [2, ${n}] (the number of images), got ${opts.k}`);
  const batch = opts.batch ?? 2, epochs = opts.epochs ?? 0, confidence = opts.confidence ?? 0.5;
  if (!Number.isInteger(batch) || batch < 2) throw new ColocInputError(`batch must be an integer >= 2, got ${batch}`);
  if (!Number.isInteger(epochs) || epochs < 0) throw new ColocInputError(`epochs must be an integer >= 0, got ${epochs}`);
  const gamma = opts.gamma ?? 2;
  if (!(gamma >= 1 && gamma <= 10)) throw new ColocInputError(`gamma must be in [1, 10], got ${gamma}`);
  if (!(confidence >= 0 && confidence < 1)) throw new ColocInputError(`confidence must be in [0, 1), got ${confidence}`);
  if (opts.truth && opts.truth.length !== n) throw new ColocInputError(`truth has ${opts.truth.length} labels for ${n} images`);
  // Constant images and the like: the preparation itself is the check (cheap next to training).
  prepareImages(stack, (opts.clip ?? 99) / 100);
}

export async function coloc(rt: Runtime, stack: IonImages, opts: ColocOptions = {}): Promise<ColocResult> {
  const o = {
    seed: opts.seed ?? 0,
    neighbors: opts.neighbors ?? 10,
    epochs: opts.epochs ?? 12,
    batch: opts.batch ?? 24,
    lr: opts.lr ?? 3e-3,
    // 0.1: on the benchmark (seeds 0-2) the embedding alone scored ARI 0.90 / 0.69 / 0.77 and the result
    // beat the cosine baseline on every seed; at 0.2: 0.87 / 0.53 / 0.87, and it lost seed 1 (README).
    temperature: opts.temperature ?? 0.1,
    side: opts.side ?? DEFAULT_ENCODER.side,
    channels: opts.channels ?? DEFAULT_ENCODER.channels,
    affinity: opts.affinity ?? 'combined',
    geometric: opts.geometric ?? false,
    gamma: opts.gamma ?? 2,
    selfLabelEpochs: opts.selfLabelEpochs ?? 3,
    confidence: opts.confidence ?? 0.9,
    clip: opts.clip ?? 99,
    method: opts.method ?? 'contrastive',
  };
  const { n, height, width } = stack;
  checkColocInput(stack, opts);
  const progress = opts.onProgress ?? (() => {});
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  let tp = t0;
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = (now - tp) / 1000;
    tp = now;
  };
  const pixels = height * width;

  const prepared = prepareImages(stack, o.clip / 100);
  const mask = Float32Array.from({ length: pixels }, (_, p) => (stack.mask ? stack.mask[p]! : 1));
  // Baseline similarities on the prepared images at full resolution (CPU, O(n^2 HW)).
  const filteredCos = cosineMatrix(medianFilter3(prepared, n, height, width), n, pixels);
  const pearson = pearsonMatrix(prepared, n, pixels);
  lap('prepare');

  const random = new Random(o.seed);
  const resized = resizeToBase(rt, prepared, mask, n, height, width, o.side);
  const baseStats = imageStats((await resized.images.read()) as Float32Array, n, o.side * o.side);
  const base: BaseImages = { images: resized.images, mask: resized.mask, side: o.side, stats: baseStats };
  const encoder = new ColocEncoder(rt, { channels: o.channels, projection: 64, side: o.side, seed: random.uint32() });
  const proj = new ProjectionHead(rt, encoder.embedding, 64, random.uint32());
  try {
    progress('training', 0, o.epochs);
    const augment = { ...(o.geometric ? GEOMETRIC : STRONG), gamma: o.gamma };
    const losses = await trainSimclr(rt, encoder, proj, base, {
      epochs: o.epochs,
      batch: Math.min(o.batch, n),
      lr: o.lr,
      temperature: o.temperature,
      augment,
      seed: random.uint32(),
      onEpoch: (e, l) => progress('training', e, o.epochs, `loss ${l.toFixed(4)}`),
    });
    lap('training');
    const h = await embed(rt, encoder, base, Math.min(o.batch, n));
    const d = encoder.embedding;
    const embCos = centredCosine(h, n, d);
    lap('embedding');

    progress('clustering', 0, 1);
    const clusterSeed = random.uint32();
    // Combined: the mean of the two kNN graphs (embedding, filtered images), each from its own ranking.
    const main: SpectralResult = spectralCluster(o.affinity === 'combined' ? [embCos, filteredCos] : embCos, n, { k: opts.k, neighbors: o.neighbors, seed: clusterSeed });
    const k = main.k;
    const embOnly = o.affinity === 'embedding' ? main : spectralCluster(embCos, n, { k, neighbors: o.neighbors, seed: clusterSeed });
    lap('clustering');

    const sl =
      o.selfLabelEpochs >= 0
        ? await selfLabel(rt, encoder, base, h, main.labels, k, {
            epochs: o.selfLabelEpochs,
            batch: Math.min(o.batch, n),
            confidence: o.confidence,
            lr: 1e-4,
            headLr: 1e-2,
            headSteps: 100,
            strong: augment,
            seed: random.uint32(),
            onEpoch: (e, info) => progress('self-labelling', e, o.selfLabelEpochs, `confident ${(100 * info.confident).toFixed(0)}%`),
          })
        : null;
    lap('selfLabel');

    const cosine = spectralCluster(filteredCos, n, { k, neighbors: o.neighbors, seed: clusterSeed }).labels;
    const pearsonLabels = averageLinkage(Float64Array.from(pearson, (v) => 1 - v), n, k);
    lap('baselines');
    const methods = { contrastive: sl ? sl.labels : main.labels, spectral: main.labels, embedding: embOnly.labels, pearson: pearsonLabels, cosine };
    const clusters = methods[o.method];
    const confidence = o.method === 'contrastive' && sl ? sl.confidence : new Float32Array(n).fill(1);
    timings.total = (performance.now() - t0) / 1000;
    const report: ColocReport = {
      images: n,
      height,
      width,
      method: o.method,
      parameters: { ...o, channels: [...o.channels], k: opts.k ?? null },
      seed: o.seed,
      adapter: describeAdapter(rt.ctx.report),
      k,
      eigengap: { k: main.k, gap: main.gap, auto: main.auto, laplacian: main.laplacian },
      lossPerEpoch: losses,
      selfLabel: sl
        ? { changed: sl.changed, confidentFraction: sl.confidentFraction, loss: sl.loss, meanConfidence: sl.confidence.reduce((a, b) => a + b, 0) / n }
        : null,
      timings,
    };
    if (opts.truth) {
      const t = opts.truth;
      report.scores = Object.fromEntries(Object.entries(methods).map(([name, labels]) => [name, scores(t, labels)]));
    }
    return { clusters, confidence, prepared, embeddings: h, embeddingSize: d, methods, embeddingCosine: embCos, filteredCosine: filteredCos, pearson, report };
  } finally {
    encoder.dispose();
    proj.dispose();
    resized.images.dispose();
    resized.mask.dispose();
  }
}

export interface QueryHit {
  index: number;
  /** Cosine similarity of the learned embeddings. */
  embedding: number;
  /** Cosine similarity of the median-filtered images (the METASPACE baseline's score). */
  baseline: number;
  pearson: number;
}

/** The `top` images most colocalized with image `query` by the learned embedding, best first. */
export function queryColoc(result: ColocResult, query: number, top = 10): QueryHit[] {
  const n = result.clusters.length;
  if (!Number.isInteger(query) || query < 0 || query >= n) throw new ColocInputError(`query image ${query} is not in 0..${n - 1}`);
  const hits: QueryHit[] = [];
  for (let j = 0; j < n; j++)
    if (j !== query)
      hits.push({ index: j, embedding: result.embeddingCosine[query * n + j]!, baseline: result.filteredCosine[query * n + j]!, pearson: result.pearson[query * n + j]! });
  return hits.sort((a, b) => b.embedding - a.embedding || a.index - b.index).slice(0, top);
}
