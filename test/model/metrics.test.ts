import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { adjustedRandIndex, contingency, normalizedMutualInfo, silhouetteSamples, silhouetteScore } from '../../model/metrics.ts';
import { randn, rng } from '../helpers.ts';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs expected ${b} (tol ${tol})`);

// Case used by ARI and NMI: truth [0,0,0,1,1,1], pred [0,0,1,1,2,2]. Contingency table
// (rows truth, columns pred):
//   [2 1 0]
//   [0 1 2]     row sums a = [3, 3], column sums b = [2, 2, 2], n = 6.
const T = [0, 0, 0, 1, 1, 1], P = [0, 0, 1, 1, 2, 2];

test('contingency table of the hand case', () => {
  const t = contingency(T, P);
  assert.equal(Array.from(t.counts), [2, 1, 0, 0, 1, 2]);
  assert.equal(Array.from(t.rowSums), [3, 3]);
  assert.equal(Array.from(t.colSums), [2, 2, 2]);
  assert.is(t.n, 6);
});

test('ARI hand case = 8/33', () => {
  // Pairs: sum_ij C(n_ij, 2) = 1 + 0 + 0 + 1 = 2; sum_i C(a_i, 2) = 3 + 3 = 6;
  // sum_j C(b_j, 2) = 1 + 1 + 1 = 3; C(6, 2) = 15.
  // expected index = 6 * 3 / 15 = 1.2; max index = (6 + 3) / 2 = 4.5;
  // ARI = (2 - 1.2) / (4.5 - 1.2) = 0.8 / 3.3 = 8/33 = 0.242424...
  close(adjustedRandIndex(T, P), 8 / 33, 1e-12, 'ARI');
  close(adjustedRandIndex(P, T), 8 / 33, 1e-12, 'ARI symmetric');
});

test('NMI hand case = (4/3) ln 2 / ln 6', () => {
  // p_ij = [2 1 0; 0 1 2] / 6, p_i = 1/2, p_j = 1/3.
  // MI = 2 * (2/6) ln((2/6) / (1/6)) + 2 * (1/6) ln((1/6) / (1/6)) = (2/3) ln 2 = 0.462098
  // H(truth) = ln 2, H(pred) = ln 3; arithmetic mean = ln(6) / 2.
  // NMI = (2/3) ln 2 / (ln 6 / 2) = (4/3) ln 2 / ln 6 = 0.515804
  close(normalizedMutualInfo(T, P), ((4 / 3) * Math.LN2) / Math.log(6), 1e-12, 'NMI');
  close(normalizedMutualInfo(P, T), ((4 / 3) * Math.LN2) / Math.log(6), 1e-12, 'NMI symmetric');
});

test('a second hand case with unequal sizes', () => {
  // truth [0,0,1,1,1], pred [0,0,0,1,1]: table [2 0; 1 2], a = [2, 3], b = [3, 2], n = 5.
  // ARI: sum C(n_ij,2) = 1 + 0 + 0 + 1 = 2; sum C(a_i,2) = 1 + 3 = 4; sum C(b_j,2) = 3 + 1 = 4;
  //   C(5,2) = 10; expected = 4*4/10 = 1.6; max = 4; ARI = (2 - 1.6) / (4 - 1.6) = 0.4/2.4 = 1/6.
  close(adjustedRandIndex([0, 0, 1, 1, 1], [0, 0, 0, 1, 1]), 1 / 6, 1e-12, 'ARI');
  // MI = 2/5 ln((2/5)/(2/5*3/5)) + 1/5 ln((1/5)/(3/5*3/5)) + 2/5 ln((2/5)/(3/5*2/5))
  //    = 2/5 ln(5/3) + 1/5 ln(5/9) + 2/5 ln(5/3)
  // H = -(2/5 ln 2/5 + 3/5 ln 3/5) for both, so NMI = MI / H.
  const mi = 0.4 * Math.log(5 / 3) + 0.2 * Math.log(5 / 9) + 0.4 * Math.log(5 / 3);
  const h = -(0.4 * Math.log(0.4) + 0.6 * Math.log(0.6));
  close(normalizedMutualInfo([0, 0, 1, 1, 1], [0, 0, 0, 1, 1]), mi / h, 1e-12, 'NMI');
});

test('identities: perfect = 1 under renaming, permutation invariance, degenerate cases', () => {
  const r = rng(5);
  const a = Int32Array.from({ length: 500 }, () => Math.floor(r() * 6));
  const renamed = a.map((v) => [40, 3, -7, 12, 99, 0][v]!);
  close(adjustedRandIndex(a, renamed), 1, 1e-12, 'ARI perfect');
  close(normalizedMutualInfo(a, renamed), 1, 1e-12, 'NMI perfect');
  // Shuffling the samples (same permutation on both) changes nothing.
  const b = Int32Array.from({ length: 500 }, (_, i) => (a[i]! + (r() < 0.3 ? 1 : 0)) % 6);
  const perm = Array.from({ length: 500 }, (_, i) => i).sort(() => r() - 0.5);
  const ap = perm.map((i) => a[i]!), bp = perm.map((i) => b[i]!);
  close(adjustedRandIndex(ap, bp), adjustedRandIndex(a, b), 1e-12, 'ARI shuffle');
  close(normalizedMutualInfo(ap, bp), normalizedMutualInfo(a, b), 1e-12, 'NMI shuffle');
  // Single cluster on both sides: perfect by convention (scikit-learn); one side only: NMI 0.
  assert.is(adjustedRandIndex([1, 1, 1], [5, 5, 5]), 1);
  assert.is(normalizedMutualInfo([1, 1, 1], [5, 5, 5]), 1);
  assert.is(normalizedMutualInfo([1, 1, 1], [0, 1, 2]), 0);
  // All singletons on both sides: identical partitions.
  assert.is(adjustedRandIndex([0, 1, 2, 3], [3, 2, 1, 0]), 1);
  // One side all in one cluster, other all singletons: no agreement beyond chance -> 0.
  assert.is(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3]), 0);
});

test('ARI equals a brute-force pair count on random labelings', () => {
  const r = rng(9);
  for (let trial = 0; trial < 5; trial++) {
    const n = 37 + trial * 11;
    const a = Array.from({ length: n }, () => Math.floor(r() * 4));
    const b = Array.from({ length: n }, (_, i) => (r() < 0.5 ? a[i]! : Math.floor(r() * 5)));
    // Rand index counts over unordered pairs, then the Hubert-Arabie adjustment.
    let same = 0, sa = 0, sb = 0, pairs = 0;
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        pairs++;
        const x = a[i] === a[j], y = b[i] === b[j];
        if (x && y) same++;
        if (x) sa++;
        if (y) sb++;
      }
    const expected = (sa * sb) / pairs;
    const ari = (same - expected) / ((sa + sb) / 2 - expected);
    close(adjustedRandIndex(a, b), ari, 1e-12, `trial ${trial}`);
  }
});

test('independent random labelings: ARI and NMI near 0', () => {
  const r = rng(21);
  const n = 20000;
  const a = Int32Array.from({ length: n }, () => Math.floor(r() * 5));
  const b = Int32Array.from({ length: n }, () => Math.floor(r() * 5));
  const ari = adjustedRandIndex(a, b), nmi = normalizedMutualInfo(a, b);
  // E[ARI] = 0 with sd ~ 1e-4 here; NMI has a small positive bias ~ (k-1)^2 / (2 n H) ~ 3e-4.
  assert.ok(Math.abs(ari) < 2e-3, `ARI ${ari}`);
  assert.ok(nmi >= 0 && nmi < 2e-3, `NMI ${nmi}`);
});

test('ignore option drops samples where either side has the ignored label', () => {
  const truth = [0, 0, 0, 1, 1, 1, -1, -1];
  const pred = [0, 0, 1, 1, 2, 2, 2, 0];
  close(adjustedRandIndex(truth, pred, { ignore: -1 }), 8 / 33, 1e-12, 'ARI');
  close(normalizedMutualInfo(truth, pred, { ignore: -1 }), ((4 / 3) * Math.LN2) / Math.log(6), 1e-12, 'NMI');
  assert.throws(() => adjustedRandIndex([0, 1], [0]), /differ in length/);
});

test('silhouette hand case, 1-D, two clusters', () => {
  // A = {0, 1}, B = {4, 6}.
  // x=0: a = 1, b = (4 + 6)/2 = 5,   s = (5 - 1)/5 = 0.8
  // x=1: a = 1, b = (3 + 5)/2 = 4,   s = (4 - 1)/4 = 0.75
  // x=4: a = 2, b = (4 + 3)/2 = 3.5, s = 1.5/3.5 = 3/7
  // x=6: a = 2, b = (6 + 5)/2 = 5.5, s = 3.5/5.5 = 7/11
  const x = [0, 1, 4, 6], l = [0, 0, 1, 1];
  const want = [0.8, 0.75, 3 / 7, 7 / 11];
  const s = silhouetteSamples(x, l, 1);
  for (let i = 0; i < 4; i++) close(s[i]!, want[i]!, 1e-12, `s[${i}]`);
  close(silhouetteScore(x, l, 1), (0.8 + 0.75 + 3 / 7 + 7 / 11) / 4, 1e-12, 'mean');
  // A masked sample (label -1) far away changes nothing.
  close(silhouetteScore([0, 1, 100, 4, 6], [0, 0, -1, 1, 1], 1), (0.8 + 0.75 + 3 / 7 + 7 / 11) / 4, 1e-12, 'masked');
});

test('silhouette hand case, 2-D, three clusters with a singleton', () => {
  // A = {(0,0), (0,2)}, B = {(3,0)} (singleton: s = 0), C = {(3,4), (6,4)}.
  // (0,0): a = 2; to B 3; to C (5 + sqrt52)/2 = 6.106  -> b = 3,        s = 1/3
  // (0,2): a = 2; to B sqrt13; to C (sqrt13 + sqrt40)/2 -> b = sqrt13,  s = (sqrt13 - 2)/sqrt13
  // (3,4): a = 3; to A (5 + sqrt13)/2 = 4.30; to B 4    -> b = 4,       s = 1/4
  // (6,4): a = 3; to A (sqrt52 + sqrt40)/2 = 6.77; to B 5 -> b = 5,     s = 2/5
  const x = [0, 0, 0, 2, 3, 0, 3, 4, 6, 4], l = [0, 0, 1, 2, 2];
  const s13 = Math.sqrt(13);
  const want = [1 / 3, (s13 - 2) / s13, 0, 1 / 4, 2 / 5];
  const s = silhouetteSamples(x, l, 2);
  for (let i = 0; i < 5; i++) close(s[i]!, want[i]!, 1e-12, `s[${i}]`);
  close(silhouetteScore(x, l, 2), want.reduce((p, q) => p + q) / 5, 1e-12, 'mean');
});

test('silhouette equals a brute-force per-sample computation on random data', () => {
  const n = 57, dim = 4;
  const x = randn(n * dim, 3);
  const r = rng(4);
  const l = Int32Array.from({ length: n }, () => Math.floor(r() * 3));
  for (let i = 0; i < n; i++) x[i * dim]! += 3 * l[i]!; // some structure
  const dist = (i: number, j: number) => Math.hypot(...Array.from({ length: dim }, (_, k) => x[i * dim + k]! - x[j * dim + k]!));
  let total = 0;
  for (let i = 0; i < n; i++) {
    const mean = (c: number) => {
      const js = [...Array(n).keys()].filter((j) => j !== i && l[j] === c);
      return js.reduce((s, j) => s + dist(i, j), 0) / js.length;
    };
    const a = mean(l[i]!), b = Math.min(...[0, 1, 2].filter((c) => c !== l[i]).map(mean));
    total += (b - a) / Math.max(a, b);
  }
  // Float32 inputs, float64 sums: agreement to ~1e-12 relative.
  close(silhouetteScore(x, l, dim), total / n, 1e-10, 'silhouette');
});

test('silhouette sampling: seeded, deterministic, close to the full value; errors outside its domain', () => {
  // Three separated Gaussian blobs in 5-D, 3000 samples.
  const n = 3000, dim = 5;
  const x = randn(n * dim, 8, 0.7);
  const l = Int32Array.from({ length: n }, (_, i) => i % 3);
  for (let i = 0; i < n; i++) x[i * dim + (l[i]! % dim)]! += 3;
  const full = silhouetteScore(x, l, dim, { sampleSize: Infinity });
  const s1 = silhouetteScore(x, l, dim, { seed: 1 }), s1again = silhouetteScore(x, l, dim, { seed: 1 });
  const s2 = silhouetteScore(x, l, dim, { seed: 2, sampleSize: 500 });
  assert.is(s1, s1again, 'same seed, same value');
  assert.ok(Math.abs(s1 - full) < 0.01, `sampled 2000 ${s1} vs full ${full}`);
  assert.ok(Math.abs(s2 - full) < 0.03, `sampled 500 ${s2} vs full ${full}`);
  assert.ok(s2 !== silhouetteScore(x, l, dim, { seed: 3, sampleSize: 500 }), 'different seeds give different subsets');
  assert.throws(() => silhouetteScore([1, 2, 3], [0, 0, 0], 1), /2 <= clusters/);
  assert.throws(() => silhouetteScore([1, 2, 3], [0, 1, 2], 1), /2 <= clusters/);
  assert.throws(() => silhouetteScore([1, 2, 3], [0, 1], 2), /not 2 samples x 2 features/);
});

test.run();
