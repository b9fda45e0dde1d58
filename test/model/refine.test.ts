// The boundary refinement (ICM on a Potts field with per-segment Gaussians) on hand-made images:
// a misplaced boundary moves back, isolated wrong pixels are fixed, masked pixels stay, no
// segment is created or emptied, and a feature-less label map is left alone when beta dominates.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Random } from '../../engine/random.ts';
import { adjustedRandIndex } from '../../model/metrics.ts';
import { refineLabels } from '../../model/refine.ts';

const H = 15, W = 17;
/** Left / right halves (boundary after column 8) with 2 features, plus noise. */
function halves(noise = 0.1, seed = 3): { x: Float32Array; truth: Int32Array } {
  const r = new Random(seed);
  const x = new Float32Array(H * W * 2), truth = new Int32Array(H * W);
  for (let i = 0; i < H * W; i++) {
    const t = i % W <= 8 ? 0 : 1;
    truth[i] = t;
    x[i * 2] = (t ? 0.8 : 0.2) + r.normal(0, noise);
    x[i * 2 + 1] = 0.5 + r.normal(0, noise);
  }
  return { x, truth };
}

test('a boundary drawn three columns off moves back to where the features change', () => {
  const { x, truth } = halves();
  const off = Int32Array.from({ length: H * W }, (_, i) => (i % W <= 5 ? 0 : 1));
  const { labels, changed } = refineLabels(x, 2, off, H, W, { beta: 1 });
  assert.is(adjustedRandIndex(truth, labels), 1);
  assert.is(changed, 3 * H);
});

test('isolated wrong pixels are fixed; the ids of the segments are kept', () => {
  const { x, truth } = halves();
  const noisy = Int32Array.from(truth, (t, i) => (i % 11 === 0 ? 1 - t : t));
  const { labels } = refineLabels(x, 2, noisy, H, W);
  assert.equal(Array.from(labels), Array.from(truth));
});

test('masked pixels keep -1 and are nobody\'s neighbour; other pixels still refine', () => {
  const { x, truth } = halves();
  const masked = Int32Array.from(truth, (t, i) => (i % 7 === 0 ? -1 : i % 13 === 0 ? 1 - t : t));
  const { labels } = refineLabels(x, 2, masked, H, W);
  for (let i = 0; i < H * W; i++) assert.is(labels[i], i % 7 === 0 ? -1 : truth[i], `pixel ${i}`);
});

test('no segment is created or emptied, even a one-pixel one; a single segment is returned unchanged', () => {
  const { x, truth } = halves();
  const withDot = Int32Array.from(truth);
  withDot[3 * W + 3] = 2; // a one-pixel segment in the middle of segment 0
  const { labels } = refineLabels(x, 2, withDot, H, W, { beta: 4 });
  assert.ok(labels.includes(2), 'the one-pixel segment survives');
  assert.ok(Math.max(...labels) === 2);
  const one = new Int32Array(H * W);
  assert.equal(refineLabels(x, 2, one, H, W), { labels: one, changed: 0 });
});

test('same input, same output; beta only changes how much the neighbours count', () => {
  const { x, truth } = halves(0.35, 9);
  const start = Int32Array.from(truth, (t, i) => (i % 5 === 0 ? 1 - t : t));
  const a = refineLabels(x, 2, start, H, W, { beta: 1 });
  const b = refineLabels(x, 2, start, H, W, { beta: 1 });
  assert.equal(a, b);
  // With strong noise, a stronger Potts term gives a smoother (fewer label changes between
  // neighbours) map than a weak one.
  const edges = (l: Int32Array) => {
    let e = 0;
    for (let i = 0; i < H * W; i++) {
      if (i % W < W - 1 && l[i] !== l[i + 1]) e++;
      if (i + W < H * W && l[i] !== l[i + W]) e++;
    }
    return e;
  };
  const weak = refineLabels(x, 2, start, H, W, { beta: 0 }), strong = refineLabels(x, 2, start, H, W, { beta: 3 });
  assert.ok(edges(strong.labels) < edges(weak.labels), `edges ${edges(strong.labels)} vs ${edges(weak.labels)}`);
  assert.ok(adjustedRandIndex(truth, strong.labels) > 0.9);
});

test('bad sizes are refused', () => {
  assert.throws(() => refineLabels(new Float32Array(10), 2, new Int32Array(4), 2, 3), /refineLabels/);
});

test.run();
