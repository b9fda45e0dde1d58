// The consensus of several segmentations of one image (MSInet restarts from different seeds).
// A single training sometimes merges two regions and keeps a spurious one; different seeds make
// different mistakes, so the pairs of pixels that most restarts keep together are the answer.
//
// Pixels with the same label in every restart are interchangeable, so the co-association
// (fraction of restarts in which two pixels share a label) is computed between these "atoms"
// (distinct label tuples, usually tens to a few hundred), not between pixels. The atoms are
// clustered by average linkage on 1 - co-association, weighted by their pixel counts, into k
// groups; each pixel takes its atom's group, which keeps the pixel resolution of the restarts.
// Atoms too small to matter (noise pixels with a rare label tuple) do not take part in the
// linkage, where one would otherwise keep a group to itself; they join the group they agree
// with most afterwards.
import { averageLinkage, wardLinkage } from './coloc/hierarchical.ts';
import { adjustedRandIndex } from './metrics.ts';

export interface ConsensusOptions {
  /**
   * Atoms smaller than this fraction of the pixels join a group after the linkage (default 0.02:
   * on the shared benchmark, 0.002 let a 30-pixel atom keep a group while two true regions merged;
   * bench/results/restarts_*.json has both).
   */
  minAtomFraction?: number;
  /** At most this many atoms (the largest) take part in the O(n^3) linkage (default 400). */
  maxAtoms?: number;
  /** 'average' (default) or 'ward' linkage of the atoms (Ward's was measured lower on the benchmark). */
  linkage?: 'ward' | 'average';
}

export interface ConsensusResult {
  /** Row-major, 0..k-1 in order of first appearance, -1 where every map is -1 (masked). */
  labels: Int32Array;
  /** Per pixel, the fraction of restarts whose label maps onto the consensus label there; NaN where masked. */
  confidence: Float32Array;
  /** The number of groups actually formed (k, or fewer when the maps do not have k distinct atoms). */
  k: number;
  /** Mean ARI over all pairs of restarts (1 for a single restart): agreement readable without truth. */
  stability: number;
  /** Each restart's ARI with the consensus. */
  agreement: number[];
  atoms: number;
}

/** maps: R label maps of the same n pixels (any ids >= 0; -1 = masked, the same pixels in all). */
export function consensusLabels(maps: readonly Int32Array[], k: number, opts: ConsensusOptions = {}): ConsensusResult {
  const R = maps.length;
  if (R < 1) throw new Error('consensusLabels: no label maps');
  const n = maps[0]!.length;
  for (const m of maps) if (m.length !== n) throw new Error(`consensusLabels: maps of ${m.length} and ${n} pixels`);
  if (!Number.isInteger(k) || k < 1) throw new Error(`consensusLabels: k = ${k}`);

  // --- atoms: distinct label tuples ---
  const atomOf = new Int32Array(n).fill(-1);
  const tuples: number[][] = [];
  const weight: number[] = [];
  const index = new Map<string, number>();
  let pixels = 0;
  for (let i = 0; i < n; i++) {
    if (maps[0]![i]! < 0) continue;
    const t = maps.map((m) => m[i]!);
    const key = t.join(',');
    let a = index.get(key);
    if (a === undefined) {
      index.set(key, (a = tuples.length));
      tuples.push(t);
      weight.push(0);
    }
    weight[a]!++;
    atomOf[i] = a;
    pixels++;
  }
  const A = tuples.length;
  if (A === 0) throw new Error('consensusLabels: every pixel is masked');
  const agree = (a: number, b: number) => {
    let s = 0;
    for (let r = 0; r < R; r++) if (tuples[a]![r] === tuples[b]![r]) s++;
    return s / R;
  };

  // --- linkage on the large atoms ---
  const byWeight = Array.from({ length: A }, (_, a) => a).sort((x, y) => weight[y]! - weight[x]! || x - y);
  const minWeight = Math.max(1, (opts.minAtomFraction ?? 0.02) * pixels);
  let core = byWeight.filter((a) => weight[a]! >= minWeight).slice(0, opts.maxAtoms ?? 400);
  if (core.length < Math.min(k, A)) core = byWeight.slice(0, Math.min(k, A));
  const c = core.length;
  const kk = Math.min(k, c);
  const dist = new Float64Array(c * c);
  for (let i = 0; i < c; i++) for (let j = i + 1; j < c; j++) dist[i * c + j] = dist[j * c + i] = 1 - agree(core[i]!, core[j]!);
  const sizes = core.map((a) => weight[a]!);
  const link = opts.linkage === 'ward' ? wardLinkage : averageLinkage;
  const coreGroup = link(dist, c, kk, { sizes });

  // --- the remaining atoms join the group they agree with most (pixel-weighted mean) ---
  const group = new Int32Array(A).fill(-1);
  core.forEach((a, i) => (group[a] = coreGroup[i]!));
  for (let a = 0; a < A; a++) {
    if (group[a]! >= 0) continue;
    const score = new Float64Array(kk), mass = new Float64Array(kk);
    core.forEach((b, i) => {
      score[coreGroup[i]!]! += weight[b]! * agree(a, b);
      mass[coreGroup[i]!]! += weight[b]!;
    });
    let best = 0;
    for (let g = 1; g < kk; g++) if (score[g]! / mass[g]! > score[best]! / mass[best]!) best = g;
    group[a] = best;
  }

  // --- pixels, renumbered by first appearance ---
  const rename = new Map<number, number>();
  const labels = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (atomOf[i]! < 0) continue;
    const g = group[atomOf[i]!]!;
    if (!rename.has(g)) rename.set(g, rename.size);
    labels[i] = rename.get(g)!;
  }
  const { confidence } = agreementWith(maps, labels, rename.size);
  const kept = (m: Int32Array) => Array.from(m).filter((_, i) => atomOf[i]! >= 0);
  const cons = kept(labels);
  const perRestart = maps.map(kept);
  let pairSum = 0, pairs = 0;
  for (let r = 0; r < R; r++) for (let s = r + 1; s < R; s++) (pairSum += adjustedRandIndex(perRestart[r]!, perRestart[s]!)), pairs++;
  return {
    labels,
    confidence,
    k: rename.size,
    stability: pairs ? pairSum / pairs : 1,
    agreement: perRestart.map((p) => adjustedRandIndex(cons, p)),
    atoms: A,
  };
}

/** The restart whose mean ARI with the others is highest (the simpler rule the consensus is compared with). */
export function medoidRestart(maps: readonly Int32Array[]): number {
  const keep = maps[0]!.map((l) => (l >= 0 ? 1 : 0));
  const rows = maps.map((m) => Array.from(m).filter((_, i) => keep[i]));
  let best = 0, bestScore = -Infinity;
  rows.forEach((a, r) => {
    let s = 0;
    rows.forEach((b, q) => q !== r && (s += adjustedRandIndex(a, b)));
    if (s > bestScore + 1e-12) (bestScore = s), (best = r);
  });
  return best;
}

/**
 * Each restart's labels mapped onto the consensus label they overlap most (in pixels); the
 * confidence of a pixel is the fraction of restarts whose mapped label equals its consensus label.
 */
export function agreementWith(maps: readonly Int32Array[], labels: Int32Array, k: number): { confidence: Float32Array } {
  const n = labels.length;
  const votes = new Float32Array(n);
  for (const m of maps) {
    const overlap = new Map<number, Float64Array>();
    for (let i = 0; i < n; i++) {
      if (labels[i]! < 0) continue;
      let row = overlap.get(m[i]!);
      if (!row) overlap.set(m[i]!, (row = new Float64Array(k)));
      row[labels[i]!]!++;
    }
    const to = new Map<number, number>();
    for (const [l, row] of overlap) {
      let best = 0;
      for (let g = 1; g < k; g++) if (row[g]! > row[best]!) best = g;
      to.set(l, best);
    }
    for (let i = 0; i < n; i++) if (labels[i]! >= 0 && to.get(m[i]!) === labels[i]) votes[i]!++;
  }
  const confidence = new Float32Array(n);
  for (let i = 0; i < n; i++) confidence[i] = labels[i]! < 0 ? NaN : votes[i]! / maps.length;
  return { confidence };
}
