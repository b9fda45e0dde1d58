// UMAP to a few components with umap-js (cosine metric, as the MSInet reference code), seeded.
import { UMAP } from 'umap-js';
import { Random } from '../../engine/random.ts';

export interface UmapOptions {
  components?: number;
  neighbors?: number;
  minDist?: number;
  seed?: number;
  onEpoch?: (epoch: number, total: number) => void;
}

function cosineDistance(a: number[], b: number[]): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  if (na === 0 || nb === 0) return 1;
  return 1 - dot / Math.sqrt(na * nb);
}

/** x: row-major [n, c]. Returns row-major [n, components]. */
export function umapReduce(x: Float32Array, n: number, c: number, opts: UmapOptions = {}): Float32Array {
  const k = opts.components ?? 3;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(x.subarray(i * c, (i + 1) * c)));
  const umap = new UMAP({
    nComponents: k,
    nNeighbors: Math.min(opts.neighbors ?? 15, Math.max(2, n - 1)),
    minDist: opts.minDist ?? 0.1,
    distanceFn: cosineDistance,
    random: ((r) => () => r.next())(new Random(opts.seed ?? 0)),
  });
  const epochs = umap.initializeFit(rows);
  for (let e = 0; e < epochs; e++) {
    umap.step();
    opts.onEpoch?.(e + 1, epochs);
  }
  const emb = umap.getEmbedding();
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[i * k + j] = emb[i]![j]!;
  return out;
}
