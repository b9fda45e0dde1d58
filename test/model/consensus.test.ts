// The consensus of restarts on hand-made label maps: identical maps, permuted label ids, an
// outlier restart outvoted, the confidence it leaves, small noisy atoms kept out of the linkage,
// masked pixels, and the restart seeds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { averageLinkage, wardLinkage } from '../../model/coloc/hierarchical.ts';
import { consensusLabels, medoidRestart } from '../../model/consensus.ts';
import { adjustedRandIndex } from '../../model/metrics.ts';
import { restartSeed } from '../../model/segment.ts';

/** A 12 x 12 map of four quadrants (ids 0..3 in reading order). */
function quadrants(h = 12, w = 12): Int32Array {
  return Int32Array.from({ length: h * w }, (_, i) => (Math.floor(i / w) < h / 2 ? 0 : 2) + (i % w < w / 2 ? 0 : 1));
}
const relabel = (m: Int32Array, to: number[]) => Int32Array.from(m, (l) => (l < 0 ? l : to[l]!));

test('identical maps give the same map back, with confidence 1 everywhere and stability 1', () => {
  const q = quadrants();
  const c = consensusLabels([q, q, q], 4);
  assert.is(adjustedRandIndex(q, c.labels), 1);
  assert.equal(Array.from(c.labels), Array.from(q), 'labels numbered by first appearance, as the quadrants are');
  assert.ok(c.confidence.every((v) => v === 1));
  assert.is(c.stability, 1);
  assert.equal(c.agreement, [1, 1, 1]);
  assert.is(c.k, 4);
  assert.is(c.atoms, 4);
});

test('permuted label ids in each restart are the same partition', () => {
  const q = quadrants();
  const maps = [q, relabel(q, [3, 1, 0, 2]), relabel(q, [7, 5, 9, 8]), relabel(q, [1, 0, 3, 2])];
  const c = consensusLabels(maps, 4);
  assert.equal(Array.from(c.labels), Array.from(q));
  assert.ok(c.confidence.every((v) => v === 1));
  assert.is(c.stability, 1);
});

test('one outlier restart among five (two quadrants merged, one split) is outvoted; confidence shows where', () => {
  const q = quadrants();
  const outlier = Int32Array.from(q, (l, i) => (l === 1 ? 0 : l === 3 ? (i % 2 ? 3 : 4) : l));
  const maps = [q, relabel(q, [2, 3, 0, 1]), outlier, q, relabel(q, [1, 2, 3, 0])];
  const c = consensusLabels(maps, 4);
  assert.equal(Array.from(c.labels), Array.from(q), 'the four quadrants');
  for (let i = 0; i < q.length; i++) {
    // Quadrant 1 (merged into 0 by the outlier): the merged label maps onto quadrant 0 (first of the
    // tie), so 4 of 5 restarts agree there. Quadrant 3 (split by the outlier): both halves overlap
    // only quadrant 3, so the split restart still agrees on which region those pixels belong to.
    const expected = q[i] === 1 ? 0.8 : 1;
    assert.ok(Math.abs(c.confidence[i]! - expected) < 1e-6, `pixel ${i} (quadrant ${q[i]}): ${c.confidence[i]} vs ${expected}`);
  }
  assert.ok(c.agreement[2]! < 1 && c.agreement.filter((a) => a === 1).length === 4, `agreement ${c.agreement}`);
  assert.ok(c.stability < 1 && c.stability > 0.5, `stability ${c.stability}`);
});

test('scattered noise pixels with rare label tuples do not take a group of their own', () => {
  const q = quadrants(20, 20);
  const maps = [0, 1, 2].map((r) => Int32Array.from(q, (l, i) => ((i * 7 + r * 13) % 97 === 0 ? 5 + r : l)));
  const c = consensusLabels(maps, 4);
  assert.is(c.k, 4);
  assert.ok(adjustedRandIndex(q, c.labels) > 0.97, `ARI ${adjustedRandIndex(q, c.labels)}`);
});

test('masked pixels (-1 in every map) stay -1 with NaN confidence', () => {
  const q = quadrants();
  const masked = Int32Array.from(q, (l, i) => (i % 5 === 0 ? -1 : l));
  const c = consensusLabels([masked, masked, relabel(masked, [1, 0, 3, 2])], 4);
  for (let i = 0; i < q.length; i++) {
    if (i % 5 === 0) assert.ok(c.labels[i] === -1 && Number.isNaN(c.confidence[i]!), `pixel ${i}`);
    else assert.ok(c.labels[i]! >= 0 && c.confidence[i] === 1);
  }
});

test('k above the number of distinct atoms gives the atoms', () => {
  const q = quadrants();
  const c = consensusLabels([q, q], 6);
  assert.is(c.k, 4);
  assert.equal(Array.from(c.labels), Array.from(q));
});

test('weighted linkages: average merges the two close large groups, Ward absorbs the small far one first', () => {
  // A and B (100 pixels each) at distance 0.6; C (1 pixel) at 0.9 from both.
  const d = [0, 0.6, 0.9, 0.6, 0, 0.9, 0.9, 0.9, 0];
  const sizes = [100, 100, 1];
  const avgHeights: number[] = [], wardHeights: number[] = [];
  assert.equal(Array.from(averageLinkage(d, 3, 2, { sizes, heights: avgHeights })), [0, 0, 1]);
  assert.equal(Array.from(wardLinkage(d, 3, 2, { sizes, heights: wardHeights })), [0, 1, 0]);
  assert.equal(avgHeights, [0.6]);
  assert.ok(Math.abs(wardHeights[0]! - (100 / 101) * 0.9) < 1e-12, `Ward cost ${wardHeights[0]}`);
});

test('the medoid restart is the one that agrees most with the others', () => {
  const q = quadrants();
  const odd = Int32Array.from(q, (l) => (l === 1 ? 0 : l));
  assert.is(medoidRestart([odd, q, relabel(q, [3, 2, 1, 0])]), 1);
});

test('restart seeds: restart 0 keeps the seed; others differ from each other and stay below 2^32', () => {
  assert.is(restartSeed(7, 0), 7);
  const seen = new Set<number>();
  for (let s = 0; s < 20; s++)
    for (let r = 0; r < 8; r++) {
      const v = restartSeed(s, r);
      assert.ok(Number.isInteger(v) && v >= 0 && v < 2 ** 32);
      seen.add(v);
    }
  assert.ok(seen.size >= 20 * 7 + 1, `${seen.size} distinct seeds`);
});

test.run();
