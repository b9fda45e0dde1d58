// SimCLR on ion images (METHOD.md section 2, step 1): two strongly augmented views of every
// image of a batch, encoder -> projection -> NT-Xent over the 2B views (rows i and i + B are a
// pair), Adam with cosine annealing of the learning rate over all steps. Views, forward,
// loss, backward and the Adam update run on the GPU; the loss is read once per batch.
import { Adam, backward, gatherRows, ntXent, type Runtime, type Tensor } from '../../engine/index.ts';
import { Random } from '../../engine/random.ts';
import type { ColocEncoder, ProjectionHead } from './encoder.ts';
import { asPixelColumn, makeViews, STRONG, type AugmentConfig, type BaseImages } from './views.ts';

export interface SimclrOptions {
  epochs: number;
  /** Images per batch (each gives two views). The last batch of an epoch may be smaller. */
  batch: number;
  lr: number;
  temperature: number;
  augment?: AugmentConfig;
  seed: number;
  onEpoch?: (epoch: number, loss: number) => void;
}

/** Splits a seeded permutation of 0..n-1 into batches; a last batch of one image joins the previous one (BatchNorm needs 2). */
export function batchesOf(n: number, batch: number, r: Random): number[][] {
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const out: number[][] = [];
  for (let s = 0; s < n; s += batch) out.push(perm.slice(s, s + batch));
  if (out.length > 1 && out[out.length - 1]!.length < 2) out[out.length - 2]!.push(...out.pop()!);
  return out;
}

/** Cosine annealing from lr to 0 over `total` steps (PyTorch's CosineAnnealingLR with eta_min 0). */
export function cosineLr(lr: number, step: number, total: number): number {
  return total <= 0 ? lr : 0.5 * lr * (1 + Math.cos((Math.PI * step) / total));
}

/** Trains encoder + head in place; returns the mean NT-Xent loss of every epoch. */
export async function trainSimclr(rt: Runtime, encoder: ColocEncoder, head: ProjectionHead, base: BaseImages, o: SimclrOptions): Promise<number[]> {
  const n = base.images.shape[0]!;
  const r = new Random(o.seed);
  const params = [...encoder.parameters(), ...head.parameters()];
  const adam = new Adam(params, { lr: o.lr });
  const perEpoch = Math.ceil(n / o.batch);
  const total = o.epochs * perEpoch;
  const losses: number[] = [];
  encoder.train();
  head.train();
  let step = 0;
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      let sum = 0, count = 0;
      for (const idx of batchesOf(n, o.batch, r)) {
        adam.lr = cosineLr(o.lr, step, total);
        const viewSeed = r.uint32();
        const loss = await rt.scopeAsync(async () => {
          const x = makeViews(rt, base, [...idx, ...idx], o.augment ?? STRONG, r, viewSeed);
          const z = head.forward(encoder.forward(x, 2 * idx.length));
          const l: Tensor = ntXent(z, o.temperature);
          backward(l);
          adam.step();
          adam.zeroGrad();
          return rt.readScalar(l);
        });
        if (!Number.isFinite(loss)) throw new Error(`SimCLR: the loss became ${loss} at epoch ${epoch + 1}`);
        sum += loss * idx.length;
        count += idx.length;
        step++;
      }
      losses.push(sum / count);
      o.onEpoch?.(epoch + 1, sum / count);
    }
  } finally {
    adam.dispose();
  }
  return losses;
}

/** Embeddings h [n, C] of the clean (unaugmented) images, in eval mode, in batches. */
export async function embed(rt: Runtime, encoder: ColocEncoder, base: BaseImages, batch: number): Promise<Float32Array> {
  const n = base.images.shape[0]!, S = base.side, d = encoder.embedding;
  const out = new Float32Array(n * d);
  encoder.eval();
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    const h = await rt.scopeAsync(async () => {
      const rows = gatherRows(base.images, rt.fromData(Int32Array.from({ length: m }, (_, i) => s + i), [m], 'i32'));
      return rt.tape.noGrad(() => encoder.forward(asPixelColumn(rows), m)).read();
    });
    out.set(h as Float32Array, s * d);
  }
  encoder.train();
  return out;
}

