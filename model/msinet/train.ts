// The MSInet training loop (METHOD.md section 1, step 6), all on the GPU: per iteration one
// forward, argmax, superpixel majority target, the three losses, backward and the SGD step are
// recorded into one command encoder; the only readback is the label count and the loss (two
// numbers), which the stopping rule needs.
import {
  add,
  argmax,
  backward,
  countDistinctLabels,
  continuityLoss,
  gatherRows,
  infoNCE,
  mean,
  relu,
  sub,
  patchLossOfRows,
  scale,
  segmentIndex,
  segmentMajority,
  SGD,
  softmaxCrossEntropy,
  stridedRows,
  type Runtime,
  type Tensor,
} from '../../engine/index.ts';
import { Random } from '../../engine/random.ts';
import { SEGMENT_DEFAULTS as D } from '../defaults.ts';
import { SPARSE_DEFAULT, usesExclude, type SparseMode } from '../sparse.ts';
import { augmentView, DEFAULT_AUGMENT, type AugmentOptions } from './augment.ts';
import { MsinetNetwork } from './network.ts';

export interface TrainOptions {
  seed: number;
  maxIter: number;
  minLabels: number;
  channels: number;
  layers: number;
  q: number;
  dropout: number;
  lr: number;
  momentum: number;
  weights: { ce: number; patch: number; continuity: number };
  patchThreshold: number;
  patchStride: number;
  contrast: 'patch' | 'infonce';
  temperature: number;
  augment: AugmentOptions;
  /**
   * Which labels are the result. 'stop': the argmax of the iteration whose label count met the
   * stopping rule (or of the last iteration), so the result never has more than minLabels labels
   * when training stopped early. 'forward': the reference code's rule, one more forward pass (in
   * train mode, dropout on) after the last SGD step, as METHOD.md step 7 describes; the default.
   * That step often brings back a 5th label (PyTorch runs in bench/results/torch_reference_*.json: 6 of
   * the 19 that stopped early).
   */
  finalLabels: 'stop' | 'forward';
  /**
   * Unmeasured pixels (input.mask = 0), see model/sparse.ts. Training reads only whether they are
   * excluded ('exclude', 'both': BatchNorm statistics and the three losses over measured pixels
   * only); the fill ('fill', 'both') is done by segment() before the superpixels.
   */
  sparse: SparseMode;
}

export const DEFAULT_TRAIN: TrainOptions = {
  seed: D.seed,
  maxIter: D.maxIter,
  minLabels: D.minLabels,
  channels: D.channels,
  layers: 6,
  q: 100,
  dropout: 0.1,
  lr: 0.04,
  momentum: 0.9,
  weights: { ce: 0.5, patch: 2, continuity: 2 },
  patchThreshold: 0.55,
  patchStride: 2,
  contrast: D.contrast,
  temperature: D.temperature,
  augment: DEFAULT_AUGMENT,
  finalLabels: D.finalLabels,
  sparse: SPARSE_DEFAULT,
};

export interface IterationInfo {
  iteration: number;
  labels: number;
  loss: number;
  /**
   * This iteration's argmax labels (raw, 0..q-1). Call it inside the callback: the copy is
   * recorded then, before the next iteration reuses the buffer. For live views; costs a readback.
   */
  readLabels(): Promise<Int32Array>;
}

export interface TrainResult {
  /** The result labels (see TrainOptions.finalLabels), raw (0..q-1), row-major. */
  labels: Int32Array;
  /** The labels of the other final rule, when asked for (TrainExtras.otherLabels). */
  otherLabels?: Int32Array;
  iterations: number;
  losses: number[];
  labelCounts: number[];
}

/**
 * x: the [0, 1]-scaled image [H*W, C]; the network sees x * inputScale (the augmented views of
 * the InfoNCE variant are made from x first). superpixels: an id per pixel (0..K-1). mask
 * (optional, 1 = a pixel of the sample): pixels outside it still go through the network, but the
 * labels they take do not count towards minLabels (otherwise the background would use one up).
 */
export interface TrainExtras {
  /** Also return the labels of the other final-labels rule (to score both rules on one run). */
  otherLabels?: boolean;
  /** Checked after every iteration: when aborted, training ends there as if it had converged. */
  signal?: { readonly aborted: boolean };
}

export async function trainMsinet(
  rt: Runtime,
  input: { x: Float32Array; height: number; width: number; channels: number; superpixels: Int32Array; inputScale: number; mask?: Uint8Array },
  opts: TrainOptions,
  onIteration?: (info: IterationInfo) => void,
  extras: TrainExtras = {},
): Promise<TrainResult> {
  const { height, width, channels } = input;
  const n = height * width;
  if (!(opts.maxIter >= 1)) throw new Error(`trainMsinet: maxIter must be >= 1, got ${opts.maxIter}`);
  const net = new MsinetNetwork(rt, {
    inChannels: channels,
    channels: opts.channels,
    layers: opts.layers,
    q: opts.q,
    dropout: opts.dropout,
    seed: opts.seed,
  });
  const sgd = new SGD(net.parameters(), { lr: opts.lr, momentum: opts.momentum });
  const index = segmentIndex(rt, input.superpixels);
  const xs = input.x.map((v) => v * input.inputScale);
  const x = rt.keep(rt.fromData(xs, [n, channels]));
  const countMask = input.mask ? rt.keep(rt.fromData(Uint32Array.from(input.mask, (v) => (v ? 1 : 0)), [n], 'u32')) : undefined;
  const augRandom = new Random((opts.seed ^ 0x5bd1e995) >>> 0);
  const gridIdx = stridedIndex(height, width, opts.patchStride);
  const ex = input.mask && countMask && usesExclude(opts.sparse) ? excludedLayout(rt, input.mask, countMask, height, width, input.superpixels, gridIdx) : null;
  const losses: number[] = [];
  const labelCounts: number[] = [];
  let iterations = 0;
  let stopLabels: Tensor | null = null;
  try {
    net.train();
    for (let it = 0; it < opts.maxIter; it++) {
      const [count, loss] = await rt.scopeAsync(async () => {
        const r = net.forward(x, height, width, ex?.bnMask);
        const labels = rt.tape.noGrad(() => argmax(r));
        stopLabels?.dispose();
        stopLabels = rt.keep(labels);
        // Excluding unmeasured pixels: the CE and its superpixel targets on the measured rows only.
        const rm = ex ? gatherRows(r, ex.rows) : r;
        const target = ex ? segmentMajority(rt.tape.noGrad(() => argmax(rm)), ex.index, opts.q) : segmentMajority(labels, index, opts.q);
        const ce = softmaxCrossEntropy(rm, target);
        let contrast: Tensor;
        if (opts.contrast === 'infonce') {
          const view = augmentView(input.x, height, width, channels, opts.augment, augRandom);
          const xv = rt.fromData(view.data.map((v) => v * input.inputScale), [n, channels]);
          const rv = net.forward(xv, height, width, ex?.bnMask);
          const grid = ex ? ex.gridIdx : gridIdx;
          const pos = new Int32Array(grid.length);
          grid.forEach((p, k) => (pos[k] = view.position[p]!));
          const anchors = ex ? gatherRows(r, ex.grid) : stridedRows(r, height, width, opts.patchStride);
          contrast = infoNCE(anchors, gatherRows(rv, rt.fromData(pos, [pos.length], 'i32')), opts.temperature);
        } else {
          contrast = patchLossOfRows(ex ? gatherRows(r, ex.grid) : stridedRows(r, height, width, opts.patchStride), opts.patchThreshold);
        }
        const cont = ex ? pairContinuity(r, ex) : continuityLoss(r, height, width);
        const total = add(add(scale(ce, opts.weights.ce), scale(contrast, opts.weights.patch)), scale(cont, opts.weights.continuity));
        // Nothing below reads the forward's intermediates: free them as the backward goes.
        backward(total, { release: true });
        sgd.step();
        sgd.zeroGrad();
        const nLabels = countDistinctLabels(labels, opts.q, countMask);
        // Both copies are recorded before either map is awaited: one wait per iteration.
        const [c, l] = await Promise.all([nLabels.read(), total.read()]);
        return [c[0]!, l[0]!] as const;
      });
      iterations = it + 1;
      losses.push(loss);
      labelCounts.push(count);
      const current = stopLabels as Tensor | null;
      onIteration?.({ iteration: iterations, labels: count, loss, readLabels: async () => (await current!.read()) as Int32Array });
      if (!Number.isFinite(loss)) throw new Error(`training diverged: loss is ${loss} at iteration ${iterations}`);
      if (count <= opts.minLabels || extras.signal?.aborted) break;
    }
    const atStop = async () => (await stopLabels!.read()) as Int32Array;
    // The reference takes its final labels from one more forward pass, still in train mode.
    const forward = () =>
      rt.scopeAsync(async () => (await rt.tape.noGrad(() => argmax(net.forward(x, height, width, ex?.bnMask))).read()) as Int32Array);
    const [rule, other] = opts.finalLabels === 'forward' ? [forward, atStop] : [atStop, forward];
    const labels = await rule();
    const otherLabels = extras.otherLabels ? await other() : undefined;
    return { labels, otherLabels, iterations, losses, labelCounts };
  } finally {
    (stopLabels as Tensor | null)?.dispose();
    sgd.dispose();
    index.dispose();
    x.dispose();
    countMask?.dispose();
    ex?.dispose();
    net.dispose();
    await rt.sync();
  }
}

/** Row indices of the stride grid (rows 0, s, 2s ..., columns 0, s, ...), row-major. */
export function stridedIndex(height: number, width: number, stride: number): Int32Array {
  const out: number[] = [];
  for (let y = 0; y < height; y += stride) for (let x = 0; x < width; x += stride) out.push(y * width + x);
  return Int32Array.from(out);
}

/** What training needs to leave unmeasured pixels out (sparse: 'exclude' / 'both'); GPU tensors kept until dispose(). */
interface ExcludedLayout {
  /** For the BatchNorm statistics. */
  bnMask: { mask: Tensor; count: number };
  /** i32: the measured pixels, in order. */
  rows: Tensor;
  /** The superpixels restricted to the measured pixels (ids renumbered), indexed by position in `rows`. */
  index: ReturnType<typeof segmentIndex>;
  /** The measured pixels of the contrast grid: CPU (for the InfoNCE positions) and i32 tensor. */
  gridIdx: Int32Array;
  grid: Tensor;
  /** Vertical and horizontal neighbour pairs with both pixels measured (i32 tensors, or null when none). */
  vertical: [Tensor, Tensor] | null;
  horizontal: [Tensor, Tensor] | null;
  dispose(): void;
}

/** maskT: the mask already on the GPU as u32 (the label count's); the layout reads it, the caller frees it. */
function excludedLayout(rt: Runtime, mask: Uint8Array, maskT: Tensor, height: number, width: number, superpixels: Int32Array, gridIdx: Int32Array): ExcludedLayout {
  const n = height * width;
  const on = (i: number) => mask[i] !== 0;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (on(i)) rows.push(i);
  if (rows.length < 2) throw new Error(`trainMsinet: ${rows.length} measured pixel(s), need at least 2`);
  const ids = new Map<number, number>();
  const spIds = Int32Array.from(rows, (i) => {
    const s = superpixels[i]!;
    if (!ids.has(s)) ids.set(s, ids.size);
    return ids.get(s)!;
  });
  let grid = gridIdx.filter(on);
  // The contrast losses compare rows with each other: keep at least two.
  if (grid.length < 2) grid = Int32Array.from(rows.slice(0, Math.min(rows.length, 64)));
  const pairs = (dy: number, dx: number): [Tensor, Tensor] | null => {
    const a: number[] = [], b: number[] = [];
    for (let y = 0; y + dy < height; y++)
      for (let x = 0; x + dx < width; x++) {
        const i = y * width + x, j = (y + dy) * width + x + dx;
        if (on(i) && on(j)) (a.push(i), b.push(j));
      }
    return a.length ? [rt.keep(rt.fromData(Int32Array.from(a), [a.length], 'i32')), rt.keep(rt.fromData(Int32Array.from(b), [b.length], 'i32'))] : null;
  };
  const kept: Tensor[] = [];
  const keep = (t: Tensor) => (kept.push(t), t);
  const rowsT = keep(rt.keep(rt.fromData(Int32Array.from(rows), [rows.length], 'i32')));
  const gridT = keep(rt.keep(rt.fromData(grid, [grid.length], 'i32')));
  const vertical = pairs(1, 0), horizontal = pairs(0, 1);
  for (const p of [vertical, horizontal]) if (p) p.forEach(keep);
  const index = segmentIndex(rt, spIds, ids.size);
  return {
    bnMask: { mask: maskT, count: rows.length },
    rows: rowsT,
    index,
    gridIdx: grid,
    grid: gridT,
    vertical,
    horizontal,
    dispose() {
      for (const t of kept) t.dispose();
      index.dispose();
    },
  };
}

/**
 * The continuity loss over measured neighbour pairs only: mean |r_a - r_b| over the vertical
 * pairs plus the same over the horizontal ones (a direction without pairs adds 0), as
 * continuityLoss does on the full grid. |d| = relu(d) + relu(-d).
 */
function pairContinuity(r: Tensor, ex: ExcludedLayout): Tensor {
  const term = (p: [Tensor, Tensor]) => {
    const d = sub(gatherRows(r, p[0]), gatherRows(r, p[1]));
    return mean(add(relu(d), relu(scale(d, -1))));
  };
  const parts = [ex.vertical, ex.horizontal].filter((p): p is [Tensor, Tensor] => p !== null).map(term);
  if (parts.length === 0) return scale(mean(r), 0);
  return parts.length === 2 ? add(parts[0]!, parts[1]!) : parts[0]!;
}
