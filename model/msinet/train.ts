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
}

export const DEFAULT_TRAIN: TrainOptions = {
  seed: D.seed,
  maxIter: D.maxIter,
  minLabels: D.minLabels,
  channels: 100,
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
  const losses: number[] = [];
  const labelCounts: number[] = [];
  let iterations = 0;
  let stopLabels: Tensor | null = null;
  try {
    net.train();
    for (let it = 0; it < opts.maxIter; it++) {
      const [count, loss] = await rt.scopeAsync(async () => {
        const r = net.forward(x, height, width);
        const labels = rt.tape.noGrad(() => argmax(r));
        stopLabels?.dispose();
        stopLabels = rt.keep(labels);
        const target = segmentMajority(labels, index, opts.q);
        const ce = softmaxCrossEntropy(r, target);
        let contrast: Tensor;
        if (opts.contrast === 'infonce') {
          const view = augmentView(input.x, height, width, channels, opts.augment, augRandom);
          const xv = rt.fromData(view.data.map((v) => v * input.inputScale), [n, channels]);
          const rv = net.forward(xv, height, width);
          const pos = new Int32Array(gridIdx.length);
          gridIdx.forEach((p, k) => (pos[k] = view.position[p]!));
          contrast = infoNCE(stridedRows(r, height, width, opts.patchStride), gatherRows(rv, rt.fromData(pos, [pos.length], 'i32')), opts.temperature);
        } else {
          contrast = patchLossOfRows(stridedRows(r, height, width, opts.patchStride), opts.patchThreshold);
        }
        const cont = continuityLoss(r, height, width);
        const total = add(add(scale(ce, opts.weights.ce), scale(contrast, opts.weights.patch)), scale(cont, opts.weights.continuity));
        backward(total);
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
    const forward = () => rt.scopeAsync(async () => (await rt.tape.noGrad(() => argmax(net.forward(x, height, width))).read()) as Int32Array);
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
