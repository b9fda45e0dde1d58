// The CPU side of colocalization: kNN affinity, spectral clustering with the eigengap pick
// (two cliques, three rings), k-means++, average linkage, similarity matrices, the median
// filter, purity, self-labelling's confident targets, and the preparation of images.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Random } from '../../engine/random.ts';
import { checkColocInput } from '../../model/coloc/coloc.ts';
import { averageLinkage } from '../../model/coloc/hierarchical.ts';
import { canonicalLabels, kmeans } from '../../model/coloc/kmeans.ts';
import { ColocInputError, percentile, prepareImages } from '../../model/coloc/prepare.ts';
import { argmaxRows, confidentTargets } from '../../model/coloc/self_label.ts';
import { centredCosine, cosineMatrix, medianFilter3, pearsonMatrix } from '../../model/coloc/similarity.ts';
import { eigengap, knnAffinity, spectralCluster, spectralEmbedding } from '../../model/coloc/spectral.ts';
import { adjustedRandIndex, purity } from '../../model/metrics.ts';

/** Similarity = exp(-squared distance / s) of 2-D points. */
function gaussianSim(pts: number[][], s: number): Float64Array {
  const n = pts.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = Math.exp(-((pts[i]![0]! - pts[j]![0]!) ** 2 + (pts[i]![1]! - pts[j]![1]!) ** 2) / s);
  return out;
}

test('two cliques: the normalised Laplacian has two zero eigenvalues, the eigengap picks 2, clusters are the cliques', () => {
  const n = 10;
  const sim = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sim[i * n + j] = (i < 5) === (j < 5) ? 1 : 0.01 * ((i * 7 + j * 3) % 5);
  const a = knnAffinity(sim, n, 4);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.is(a[i * n + j], a[j * n + i], 'symmetric');
  const { laplacian } = spectralEmbedding(a, n);
  assert.ok(Math.abs(laplacian[0]!) < 1e-9 && Math.abs(laplacian[1]!) < 1e-9, `two zero eigenvalues: ${laplacian[0]}, ${laplacian[1]}`);
  assert.ok(laplacian[2]! > 0.5, `third eigenvalue ${laplacian[2]} well above 0`);
  const r = spectralCluster(sim, n, { neighbors: 4 });
  assert.is(r.k, 2);
  assert.ok(r.auto);
  assert.ok(Math.abs(r.gap - (laplacian[2]! - laplacian[1]!)) < 1e-12);
  assert.equal(Array.from(r.labels), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
});

test('three concentric rings (not separable by k-means on the points) are recovered with k = 3', () => {
  const pts: number[][] = [], truth: number[] = [];
  const r = new Random(3);
  // Dense enough that every point's 5 nearest neighbours lie on its own ring.
  for (const [ring, radius, count] of [[0, 1, 30], [1, 4, 60], [2, 7, 90]] as const)
    for (let i = 0; i < count; i++) {
      const th = (2 * Math.PI * i) / count + r.uniform(-0.05, 0.05);
      pts.push([radius * Math.cos(th), radius * Math.sin(th)]);
      truth.push(ring);
    }
  // (The eigengap is no judge here: a ring's own Laplacian spectrum starts near 0 and rises
  // slowly, so gaps between its harmonics compete with the gap after 3.)
  const res = spectralCluster(gaussianSim(pts, 1), pts.length, { k: 3, neighbors: 5, seed: 1 });
  assert.is(adjustedRandIndex(truth, res.labels), 1);
  // Plain k-means on the coordinates cannot do this (the control that makes the test meaningful).
  const km = kmeans(Float64Array.from(pts.flat()), pts.length, 2, 3, { random: new Random(1) });
  assert.ok(adjustedRandIndex(truth, km.labels) < 0.5);
});

test('three Gaussian blobs of different sizes: the eigengap picks 3', () => {
  const pts: number[][] = [];
  const r = new Random(8);
  for (const [cx, cy, count] of [[0, 0, 10], [8, 0, 15], [4, 7, 20]] as const) for (let i = 0; i < count; i++) pts.push([cx + r.normal(0, 0.7), cy + r.normal(0, 0.7)]);
  const res = spectralCluster(gaussianSim(pts, 4), pts.length, { neighbors: 6 });
  assert.is(res.k, 3);
  assert.ok(res.gap > 0.1, `gap ${res.gap}`);
  assert.is(adjustedRandIndex(pts.map((_, i) => (i < 10 ? 0 : i < 25 ? 1 : 2)), res.labels), 1);
});

test('a given k overrides the eigengap; same seed, same labels', () => {
  const n = 12;
  const sim = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sim[i * n + j] = Math.floor(i / 4) === Math.floor(j / 4) ? 1 : 0;
  const a = spectralCluster(sim, n, { k: 3, neighbors: 3, seed: 5 }), b = spectralCluster(sim, n, { k: 3, neighbors: 3, seed: 5 });
  assert.is(a.k, 3);
  assert.not.ok(a.auto);
  assert.equal(Array.from(a.labels), Array.from(b.labels));
  assert.equal(Array.from(a.labels), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
});

test('eigengap picks the largest gap between consecutive eigenvalues (k >= 2)', () => {
  assert.equal(eigengap([0, 0, 0, 0.9, 0.95, 1], 5), { k: 3, gap: 0.9 });
  assert.equal(eigengap([0, 0.5, 0.55, 0.6, 1.2], 4), { k: 4, gap: 0.6 });
  assert.is(eigengap([0, 0.5, 0.55, 0.6, 1.2], 3).k, 2);
});

test('combined graphs: the mean of two kNN graphs; one similarity twice equals it once', () => {
  const n = 12;
  // a groups {0-5}, {6-11}; a list of one similarity is that similarity.
  const a = Float64Array.from({ length: n * n }, (_, t) => ((Math.floor(t / n) < 6) === (t % n < 6) ? 1 : 0) + 0.001 * ((t * 7) % 5));
  const one = spectralCluster(a, n, { k: 2, neighbors: 5 }), twice = spectralCluster([a, a], n, { k: 2, neighbors: 5 });
  assert.equal(Array.from(twice.labels), Array.from(one.labels));
  assert.equal(twice.laplacian, one.laplacian);
  // A second, uninformative similarity (all equal) halves no group: its graph links by index.
  const flat = new Float64Array(n * n).fill(0.5);
  assert.is(adjustedRandIndex(one.labels, spectralCluster([a, flat], n, { k: 2, neighbors: 5 }).labels), 1);
});

test('centred cosine removes the component every row shares', () => {
  // Rows = common offset (10, 10) + (+-1, 0) or (0, +-1): raw cosines are all near 1.
  const x = [11, 10, 9, 10, 10, 11, 10, 9];
  const raw = cosineMatrix(x, 4, 2), c = centredCosine(x, 4, 2);
  assert.ok(raw[1]! > 0.98, `raw ${raw[1]}`);
  assert.ok(Math.abs(c[1]! + 1) < 1e-12 && Math.abs(c[2]!) < 1e-12 && Math.abs(c[1 * 4 + 3]!) < 1e-12, `centred ${Array.from(c)}`);
});

test('k-means++ finds well-separated blobs and numbers clusters by first appearance', () => {
  const x: number[] = [];
  const r = new Random(2);
  for (let i = 0; i < 30; i++) x.push((i % 3) * 10 + r.normal(0, 0.3), r.normal(0, 0.3));
  const { labels } = kmeans(Float64Array.from(x), 30, 2, 3, { random: new Random(4) });
  assert.equal(Array.from(labels.subarray(0, 6)), [0, 1, 2, 0, 1, 2]);
  assert.equal(Array.from(canonicalLabels([5, 5, 2, 7, 2])), [0, 0, 1, 2, 1]);
});

test('average linkage merges by mean distance (hand-made 5 points on a line)', () => {
  const pos = [0, 1, 2, 10, 11];
  const n = pos.length;
  const d = Float64Array.from({ length: n * n }, (_, t) => Math.abs(pos[Math.floor(t / n)]! - pos[t % n]!));
  assert.equal(Array.from(averageLinkage(d, n, 2)), [0, 0, 0, 1, 1]);
  assert.equal(Array.from(averageLinkage(d, n, 3)), [0, 0, 1, 2, 2], 'with 3 clusters: {0,1}, {2}, {10,11} (average 1.5 to {0,1} > 1 within {10,11})');
  assert.equal(Array.from(averageLinkage(d, n, 5)), [0, 1, 2, 3, 4]);
});

test('Pearson and cosine matrices against hand-computed values; median filter on a 3x4 image', () => {
  const x = [1, 2, 3, 2, 4, 6, 3, 2, 1];
  const p = pearsonMatrix(x, 3, 3), c = cosineMatrix(x, 3, 3);
  assert.ok(Math.abs(p[1]! - 1) < 1e-12 && Math.abs(p[2]! + 1) < 1e-12, `pearson ${Array.from(p)}`);
  assert.ok(Math.abs(c[1]! - 1) < 1e-12 && Math.abs(c[2]! - 10 / 14) < 1e-12, `cosine ${Array.from(c)}`);
  const img = Float32Array.from([1, 9, 1, 1, 1, 1, 1, 1, 5, 5, 5, 5]);
  const m = medianFilter3(img, 1, 3, 4);
  // Top-left window {1, 9, 1, 1}: median of 4 values = (1 + 1) / 2; the lone 9 disappears.
  assert.is(m[0], 1);
  assert.is(m[1], 1);
  // Bottom row, second column: window {1, 1, 1, 5, 5, 5} -> (1 + 5) / 2.
  assert.is(m[9], 3);
});

test('purity: hand-made cases (perfect, merged, split)', () => {
  assert.is(purity([0, 0, 1, 1], [3, 3, 7, 7]), 1);
  assert.is(purity([0, 0, 1, 1], [0, 0, 0, 0]), 0.5);
  assert.is(purity([0, 0, 1, 1], [0, 1, 2, 3]), 1, 'a finer partition is pure');
  assert.is(purity([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 1, 1]), 4 / 6);
});

test('confident targets: threshold, argmax, class-balancing weights', () => {
  const probs = [0.95, 0.05, 0.0, /**/ 0.5, 0.5, 0.0, /**/ 0.02, 0.97, 0.01, /**/ 0.92, 0.04, 0.04, /**/ 0.91, 0.0, 0.09];
  const { targets, weights, confident } = confidentTargets(probs, 5, 3, 0.9);
  assert.equal(Array.from(targets), [0, -1, 1, 0, 0]);
  assert.is(confident, 4);
  // 4 confident rows in 2 classes: class 0 (3 rows) weighs 4 / (2 * 3), class 1 (1 row) 4 / 2.
  assert.ok(Math.abs(weights[0]! - 4 / 6) < 1e-6 && weights[1] === 0 && weights[2] === 2);
  assert.is(confidentTargets(probs, 5, 3, 0.99).confident, 0, 'nothing above 0.99');
  assert.is(confidentTargets(probs, 5, 3, 0.4).confident, 5, 'all above 0.4 (ties go to the lower class)');
  const a = argmaxRows(probs, 5, 3);
  assert.equal(Array.from(a.labels), [0, 0, 1, 0, 0]);
  assert.ok(Math.abs(a.confidence[2]! - 0.97) < 1e-6);
});

test('prepare: percentile clipping, [0, 1] scaling, masked pixels 0; bad stacks refused with a clear message', () => {
  assert.is(percentile([0, 1, 2, 3, 4], 0.5), 2);
  assert.ok(Math.abs(percentile([0, 10], 0.99) - 9.9) < 1e-12);
  const H = 8, W = 8, P = H * W;
  const img = new Float32Array(2 * P);
  for (let p = 0; p < P; p++) (img[p] = p), (img[P + p] = p % 8);
  img[P - 1] = 1e6; // a hot spot
  const mask = new Uint8Array(P).fill(1);
  mask[3] = 0;
  const out = prepareImages({ images: img, n: 2, height: H, width: W, mask }, 0.95);
  assert.is(out[3], 0, 'masked');
  assert.is(out[P - 1], 1, 'hot spot clipped to 1');
  assert.ok(out[P - 2]! > 0.9 && out[P - 2]! <= 1);
  assert.is(out[0], 0);
  const bad = (s: Parameters<typeof prepareImages>[0], re: RegExp) =>
    assert.throws(() => prepareImages(s), (e: Error) => e instanceof ColocInputError && re.test(e.message));
  bad({ images: new Float32Array(P), n: 1, height: H, width: W }, /at least 2 ion images/);
  bad({ images: new Float32Array(0), n: 0, height: H, width: W }, /at least 2 ion images/);
  bad({ images: new Float32Array(2 * 49), n: 2, height: 7, width: 7 }, /at least 8x8/);
  const nan = img.slice();
  nan[P + 5] = NaN;
  bad({ images: nan, n: 2, height: H, width: W }, /image 1 has a non-finite value/);
  const flat = img.slice();
  flat.fill(3, P);
  bad({ images: flat, n: 2, height: H, width: W }, /1 image\(s\) are constant.*image 1/);
  // Options: the gamma augmentation's range must be a curve, not its inverse or none at all.
  const stack = { images: img, n: 2, height: H, width: W };
  checkColocInput(stack, { gamma: 1 });
  checkColocInput(stack, { gamma: 2.5 });
  for (const gamma of [0.5, 0, NaN, 11])
    assert.throws(() => checkColocInput(stack, { gamma }), (e: Error) => e instanceof ColocInputError && /gamma must be in \[1, 10\]/.test(e.message));
});

test.run();
