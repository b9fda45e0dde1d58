// segment() through its options on small images with a small network (the full-size defaults
// are exercised by the CLI test and the benchmark): reductions, superpixel methods, InfoNCE,
// masks, determinism, and the report's fields.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Random } from '../../engine/random.ts';
import { pcaReduce } from '../../model/reduce/pca.ts';
import { renumber, segment, type SegmentOptions } from '../../model/segment.ts';
import { testEngine } from '../gpu.ts';

const H = 10, W = 12, N = H * W;

async function rejects(fn: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  let message: string | null = null;
  try {
    await fn();
  } catch (e) {
    message = (e as Error).message;
  }
  assert.ok(message !== null, `expected an error matching ${pattern}`);
  assert.match(message!, pattern);
}
// One training, no refinement: these tests look at the training itself (restarts have their own test).
const small: SegmentOptions = { channels: 8, layers: 2, q: 12, maxIter: 4, minLabels: 2, restarts: 1, refine: 0 };

/** Two regions (left / right) over C features, plus noise. */
function image(c: number, seed = 1): Float32Array {
  const r = new Random(seed);
  const x = new Float32Array(N * c);
  for (let i = 0; i < N; i++) for (let j = 0; j < c; j++) x[i * c + j] = (i % W < W / 2 ? j % 2 : 1 - (j % 2)) + r.normal(0, 0.1);
  return x;
}

test('renumber: first-appearance order, -1 outside the mask', () => {
  const out = renumber(Int32Array.from([7, 7, 3, 9, 3, 7]), (i) => i !== 3);
  assert.equal(Array.from(out), [0, 0, 1, -1, 1, 0]);
});

test('PCA on the GPU: scores match a CPU projection on the top eigenvector, variance ratios sum <= 1', async () => {
  const rt = await testEngine();
  // Points along the direction (3, 4) / 5 plus a little noise in the orthogonal one.
  const r = new Random(3);
  const n = 301, x = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const t = r.normal(0, 2), s = r.normal(0, 0.1);
    x[i * 2] = 0.6 * t - 0.8 * s + 5;
    x[i * 2 + 1] = 0.8 * t + 0.6 * s - 1;
  }
  const { scores, explained } = await pcaReduce(rt, x, n, 2, 1);
  assert.ok(explained[0]! > 0.99 && explained[0]! <= 1, `explained ${explained[0]}`);
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) (mx += x[i * 2]! / n), (my += x[i * 2 + 1]! / n);
  // Sign convention: the largest component of the vector is positive, i.e. (0.6, 0.8).
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const expected = 0.6 * (x[i * 2]! - mx) + 0.8 * (x[i * 2 + 1]! - my);
    worst = Math.max(worst, Math.abs(scores[i]! - expected));
  }
  assert.ok(worst < 2e-3, `largest deviation ${worst}`);
});

test('segment: 40 features reduced by PCA, labels renumbered, report complete, same seed same labels', async () => {
  const rt = await testEngine();
  const features = image(40);
  const truth = Array.from({ length: N }, (_, i) => (i % W < W / 2 ? 0 : 1));
  const a = await segment(rt, { features, height: H, width: W, channels: 40 }, { ...small, seed: 4, truth });
  const b = await segment(rt, { features, height: H, width: W, channels: 40 }, { ...small, seed: 4, truth });
  assert.equal(Array.from(a.labels), Array.from(b.labels), 'deterministic');
  assert.is(a.report.reduction.method, 'pca');
  assert.is(a.report.reduction.components, 3);
  assert.is(a.report.labels, new Set(a.labels).size);
  assert.ok(Math.max(...a.labels) === a.report.labels - 1 && Math.min(...a.labels) === 0);
  assert.is(a.report.loss.length, a.report.iterations);
  assert.type(a.report.ari, 'number');
  assert.type(a.report.nmi, 'number');
  assert.ok(a.report.timings.total >= a.report.timings.training);
});

test('segment: final labels by rule: stop = the labels the stopping rule counted; forward = one more pass; each reports the other', async () => {
  const rt = await testEngine();
  const features = image(3);
  const truth = Array.from({ length: N }, (_, i) => (i % W < W / 2 ? 0 : 1));
  // minLabels 5 with a 12-label head: training stops at the first iteration that uses <= 5 labels.
  const opts: SegmentOptions = { ...small, maxIter: 30, minLabels: 5, seed: 2, truth };
  const stop = await segment(rt, { features, height: H, width: W, channels: 3 }, { ...opts, finalLabels: 'stop' });
  const fwd = await segment(rt, { features, height: H, width: W, channels: 3 }, { ...opts, finalLabels: 'forward' });
  assert.ok(stop.report.iterations < 30, `stopped early (${stop.report.iterations} iterations)`);
  assert.is(stop.report.labels, stop.report.labelCounts.at(-1));
  assert.ok(stop.report.labels <= 5);
  // Same seed, same training: the two rules swap their result and their comparison entry.
  assert.equal(stop.report.labelCounts, fwd.report.labelCounts);
  assert.is(stop.report.otherFinalLabels!.rule, 'forward');
  assert.is(fwd.report.otherFinalLabels!.rule, 'stop');
  assert.is(stop.report.otherFinalLabels!.ari, fwd.report.ari);
  assert.is(fwd.report.otherFinalLabels!.ari, stop.report.ari);
  assert.is(fwd.report.otherFinalLabels!.labels, stop.report.labels);
  assert.is(stop.report.otherFinalLabels!.labels, fwd.report.labels);
  assert.is((stop.report.parameters as { finalLabels: string }).finalLabels, 'stop');
});

test('segment: UMAP reduction, SLIC superpixels and InfoNCE run', async () => {
  const rt = await testEngine();
  const r = await segment(rt, { features: image(6), height: H, width: W, channels: 6 }, { ...small, maxIter: 2, reduce: 'umap', superpixels: 'slic', nSegments: 20, contrast: 'infonce' });
  assert.is(r.report.reduction.method, 'umap');
  assert.is(r.report.superpixels.method, 'slic');
  assert.ok(r.report.superpixels.count >= 2);
  assert.ok(r.report.loss.every(Number.isFinite));
});

test('segment: masked-out pixels get -1 and stay out of the scores', async () => {
  const rt = await testEngine();
  const mask = new Uint8Array(N).fill(1);
  for (let i = 0; i < W; i++) mask[i] = 0; // first row missing
  const r = await segment(rt, { features: image(3), height: H, width: W, channels: 3, mask }, { ...small, maxIter: 2 });
  assert.ok(Array.from(r.labels.subarray(0, W)).every((l) => l === -1));
  assert.ok(Array.from(r.labels.subarray(W)).every((l) => l >= 0));
  assert.is(r.report.pixels, N - W);
});

test('segment: labels outside the mask do not count towards --min-labels', async () => {
  const rt = await testEngine();
  const mask = new Uint8Array(N).fill(1);
  for (let i = 0; i < 3 * W; i++) mask[i] = 0; // three rows of background
  // sparse 'zeros': the background enters the network as 0 and takes labels of its own (the fill would hide it).
  const opts: SegmentOptions = { ...small, maxIter: 30, minLabels: 5, seed: 3, sparse: 'zeros' };
  const r = await segment(rt, { features: image(3), height: H, width: W, channels: 3, mask }, opts);
  // The per-iteration counts are over the pixels in the mask, as the labels the result keeps.
  assert.ok(r.report.iterations < 30, `stopped early (${r.report.iterations} iterations)`);
  assert.is(r.report.labels, r.report.labelCounts.at(-1));
});

test('segment: restarts — restart 0 is the single run, each restart is reproducible, the consensus and confidence are consistent', async () => {
  const rt = await testEngine();
  const input = { features: image(3), height: H, width: W, channels: 3 };
  const one = await segment(rt, input, { ...small, seed: 5 });
  assert.equal(one.report.consensus.method, 'single');
  assert.ok(one.confidence.every((v) => v === 1), 'one restart: confidence 1');
  const three = await segment(rt, input, { ...small, seed: 5, restarts: 3 });
  assert.is(three.restartLabels.length, 3);
  assert.equal(Array.from(three.restartLabels[0]!), Array.from(one.restartLabels[0]!), 'restart 0 trains exactly the single run');
  assert.is(three.report.restarts.length, 3);
  assert.is(three.report.restarts[0]!.seed, 5);
  assert.ok(new Set(three.report.restarts.map((r) => r.seed)).size === 3, 'derived seeds differ');
  assert.is(three.report.consensus.method, 'co-association');
  assert.ok(three.report.labels <= 2, `at most --min-labels groups, got ${three.report.labels}`);
  for (let i = 0; i < N; i++) {
    const c = three.confidence[i]!;
    assert.ok([0, 1 / 3, 2 / 3, 1].some((v) => Math.abs(c - v) < 1e-6), `pixel ${i}: confidence ${c} is a fraction of 3 restarts`);
  }
  const again = await segment(rt, input, { ...small, seed: 5, restarts: 3 });
  assert.equal(Array.from(again.labels), Array.from(three.labels), 'same seed, same consensus');
  assert.equal(Array.from(again.confidence), Array.from(three.confidence));
  await rejects(() => segment(rt, input, { ...small, minLabels: 'auto' }), /auto.*--restarts 2/);
  await rejects(() => segment(rt, input, { ...small, restarts: 0 }), /--restarts must be an integer >= 1/);
});

test('segment: clear errors for bad input', async () => {
  const rt = await testEngine();
  await rejects(() => segment(rt, { features: new Float32Array(3), height: 1, width: 1, channels: 3 }), /1 pixel/);
  await rejects(() => segment(rt, { features: new Float32Array(5), height: 2, width: 2, channels: 3 }), /5 values/);
  const bad = image(3);
  bad[7] = NaN;
  await rejects(() => segment(rt, { features: bad, height: H, width: W, channels: 3 }), /pixel 2.*feature 1 is not finite/);
  await rejects(() => segment(rt, { features: image(3), height: H, width: W, channels: 3 }, { maxIter: 0 }), /--max-iter/);
  await rejects(() => segment(rt, { features: image(3), height: H, width: W, channels: 3 }, { superpixels: 'slic', nSegments: 1000 }), /n-segments/);
  await rejects(() => segment(rt, { features: image(3), height: H, width: W, channels: 3 }, { finalLabels: 'last' as 'stop' }), /--final-labels/);
});

test.run();
