// k-means++ (Arthur & Vassilvitskii 2007) with Lloyd iterations and restarts, on the CPU (rows of
// a small spectral embedding). The restart with the lowest inertia wins; labels are renumbered
// by first appearance so the same partition always gets the same numbers.
import type { Random } from '../../engine/random.ts';

export interface KmeansResult {
  labels: Int32Array;
  inertia: number;
}

function dist2(x: Float64Array, i: number, c: Float64Array, j: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) s += (x[i * d + t]! - c[j * d + t]!) ** 2;
  return s;
}

function once(x: Float64Array, n: number, d: number, k: number, r: Random, maxIter: number): KmeansResult {
  const c = new Float64Array(k * d);
  const near = new Float64Array(n).fill(Infinity);
  let pick = r.int(n);
  for (let j = 0; j < k; j++) {
    c.set(x.subarray(pick * d, pick * d + d), j * d);
    let total = 0;
    for (let i = 0; i < n; i++) total += near[i] = Math.min(near[i]!, dist2(x, i, c, j, d));
    if (j === k - 1) break;
    let u = r.next() * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) if ((u -= near[i]!) < 0) {
      pick = i;
      break;
    }
  }
  const labels = new Int32Array(n).fill(-1);
  let inertia = 0;
  for (let it = 0; it < maxIter; it++) {
    let changed = false;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      let best = 0, bd = Infinity;
      for (let j = 0; j < k; j++) {
        const dd = dist2(x, i, c, j, d);
        if (dd < bd) (bd = dd), (best = j);
      }
      inertia += bd;
      if (labels[i] !== best) (labels[i] = best), (changed = true);
    }
    if (!changed) break;
    const count = new Float64Array(k);
    c.fill(0);
    for (let i = 0; i < n; i++) {
      count[labels[i]!]!++;
      for (let t = 0; t < d; t++) c[labels[i]! * d + t]! += x[i * d + t]!;
    }
    for (let j = 0; j < k; j++) for (let t = 0; t < d; t++) c[j * d + t] = count[j]! > 0 ? c[j * d + t]! / count[j]! : c[j * d + t]!;
  }
  return { labels, inertia };
}

/** Renumbers labels 0, 1, ... in order of first appearance. */
export function canonicalLabels(labels: ArrayLike<number>): Int32Array {
  const map = new Map<number, number>();
  return Int32Array.from(labels, (l) => {
    if (!map.has(l)) map.set(l, map.size);
    return map.get(l)!;
  });
}

/** x: n rows of d values. */
export function kmeans(x: Float64Array, n: number, d: number, k: number, { restarts = 10, maxIter = 300, random }: { restarts?: number; maxIter?: number; random: Random }): KmeansResult {
  if (k < 1 || k > n) throw new Error(`kmeans: k = ${k} for ${n} rows`);
  let best: KmeansResult | null = null;
  for (let s = 0; s < restarts; s++) {
    const res = once(x, n, d, k, random, maxIter);
    if (!best || res.inertia < best.inertia - 1e-12) best = res;
  }
  return { labels: canonicalLabels(best!.labels), inertia: best!.inertia };
}
