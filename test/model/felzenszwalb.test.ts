import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { felzenszwalb, gaussianSmooth } from '../../model/superpixels/felzenszwalb.ts';
import { assertClose } from '../helpers.ts';
import { assertDense, hashUnit, purity, sizesOf } from './superpixel_checks.ts';

/** Image [h*w, c] from a few rectangles of constant colour: fill(x, y) returns the colour. */
function image(h: number, w: number, c: number, fill: (x: number, y: number) => number[]): Float32Array {
  const out = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.set(fill(x, y).slice(0, c), (y * w + x) * c);
  return out;
}

test('colour blocks give one segment each, numbered in raster order (scikit-image test_color)', () => {
  // 20 x 21: red top-left, black top-right, green bottom-left, blue bottom-right.
  const img = image(20, 21, 3, (x, y) => (y < 10 ? (x < 10 ? [1, 0, 0] : [0, 0, 0]) : x < 10 ? [0, 1, 0] : [0, 0, 1]));
  const { labels, count } = felzenszwalb(img, 20, 21, { scale: 1, sigma: 0, minSize: 20 });
  assert.is(count, 4);
  for (let y = 0; y < 20; y++)
    for (let x = 0; x < 21; x++) assert.is(labels[y * 21 + x], y < 10 ? (x < 10 ? 0 : 1) : x < 10 ? 2 : 3, `pixel (${x}, ${y})`);
});

test('post-processing alone merges pairs below min_size (scikit-image test_merging)', () => {
  // [[0, 0.3], [0.7, 1]] with scale 0: no greedy merge; the two 0.3 edges come first in
  // weight order and each joins two singletons; the 0.4 edge then sees two pairs of size 2.
  const { labels, count } = felzenszwalb(new Float32Array([0, 0.3, 0.7, 1]), 2, 2, { scale: 0, sigma: 0, minSize: 2 });
  assert.is(count, 2);
  assert.equal(Array.from(labels), [0, 0, 1, 1]);
});

test('hand-checked threshold: an edge merges only below k/|C|', () => {
  // One row of three grey pixels 0, 0.01, 0.05, sigma 0, k = scale / 255. Edges in weight
  // order: (0,1) with w = 0.01 against min(0 + k/1, 0 + k/1) = k, then (1,2) with w = 0.04.
  // k just below 0.01: nothing merges. k just above: {0,1} merges (Int = 0.01), then (1,2)
  // faces min(0.01 + k/2, 0 + k) ~ 0.01 < 0.04 and stays apart.
  const row = new Float32Array([0, 0.01, 0.05]);
  const w01 = row[1]!; // the float32 value of 0.01, as the image holds it
  const at = (scale: number) => Array.from(felzenszwalb(row, 1, 3, { scale, sigma: 0, minSize: 1 }).labels);
  assert.equal(at((w01 * 255) * (1 - 1e-6)), [0, 1, 2]);
  assert.equal(at((w01 * 255) * (1 + 1e-3)), [0, 0, 1]);
  // Big scale merges everything; min_size 3 merges everything too.
  assert.equal(at(1000), [0, 0, 0]);
  assert.equal(Array.from(felzenszwalb(row, 1, 3, { scale: 0, sigma: 0, minSize: 3 }).labels), [0, 0, 0]);
});

test('gaussian smoothing matches scipy (reflect border, radius int(4 sigma + 0.5))', () => {
  // 1-D impulse on 7 pixels, sigma 1: radius 4, weights exp(-x^2/2) normalised over -4..4.
  const sigma = 1;
  const raw = [-4, -3, -2, -1, 0, 1, 2, 3, 4].map((x) => Math.exp(-0.5 * x * x));
  const s = raw.reduce((a, b) => a + b, 0);
  const wts = raw.map((v) => v / s);
  const line = new Float64Array([0, 0, 0, 0, 0, 0, 1]); // impulse at the last pixel
  const out = gaussianSmooth(line, 1, 7, 1, sigma);
  // 'reflect' mirrors about the edge (... f g | g f e ...): the impulse at index 6 has a
  // mirror image at 7, so out[i] = w(i - 6) + w(7 - i) (and more images are beyond reach).
  const expected = Array.from({ length: 7 }, (_, i) => {
    const w = (d: number) => (Math.abs(d) <= 4 ? wts[d + 4]! : 0);
    return w(i - 6) + w(7 - i);
  });
  assertClose(out, expected, { rtol: 1e-12, absTol: 1e-15, what: 'smoothed impulse' });
  // A constant image stays constant, even where the kernel is wider than the image.
  const flat = gaussianSmooth(new Float64Array(2 * 3 * 2).fill(0.25), 2, 3, 2, 0.8);
  assertClose(flat, new Float64Array(12).fill(0.25), { rtol: 1e-12, absTol: 0, what: 'constant' });
});

interface Case {
  h: number;
  w: number;
  c: number;
  seed: number;
  blocks: boolean;
  scale: number;
  sigma: number;
  minSize: number;
  labels: string;
}

/** The images of fixtures/felzenszwalb_skimage.py: hash noise, or quadrant colours + 0.1 noise. */
function fixtureImage(k: Case): Float64Array {
  const { h, w, c } = k;
  const out = new Float64Array(h * w * c);
  for (let i = 0; i < out.length; i++) out[i] = hashUnit(i, k.seed);
  if (k.blocks)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const q = (y >= Math.floor(h / 2) ? 2 : 0) + (x >= Math.floor(w / 3) ? 1 : 0);
        const base = [(q % 2) * 0.8, Math.floor(q / 2) * 0.6, q === 3 ? 0.5 : 0];
        for (let ch = 0; ch < c; ch++) out[(y * w + x) * c + ch] = (base[ch] ?? 0) + 0.1 * out[(y * w + x) * c + ch]!;
      }
  return out;
}

const cases = JSON.parse(readFileSync(new URL('./fixtures/felzenszwalb_skimage.json', import.meta.url), 'utf8')) as Case[];
for (const k of cases) {
  test(`matches scikit-image 0.26 felzenszwalb: ${k.h}x${k.w}x${k.c}, scale ${k.scale}, sigma ${k.sigma}, min_size ${k.minSize}${k.blocks ? ', blocks' : ''}`, () => {
    const { labels, count } = felzenszwalb(fixtureImage(k), k.h, k.w, { scale: k.scale, sigma: k.sigma, minSize: k.minSize });
    const expected = k.labels.split(' ').map(Number);
    assert.is(count, Math.max(...expected) + 1, 'segment count');
    assert.equal(Array.from(labels), expected);
  });
}

test('properties on a noisy 40x37x3 image: min_size respected, labels dense, regions kept apart', () => {
  const h = 40, w = 37;
  // Three regions (a disc, a band, the rest) of well-separated colours plus 0.05 noise.
  const region = new Int32Array(h * w);
  const img = new Float32Array(h * w * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      region[i] = (x - 12) ** 2 + (y - 12) ** 2 < 64 ? 1 : y > 28 ? 2 : 0;
      const base = [[0.1, 0.2, 0.3], [0.9, 0.4, 0.1], [0.3, 0.9, 0.8]][region[i]!]!;
      for (let ch = 0; ch < 3; ch++) img[i * 3 + ch] = base[ch]! + 0.05 * hashUnit(i * 3 + ch, 11);
    }
  for (const minSize of [1, 9, 30]) {
    const { labels, count } = felzenszwalb(img, h, w, { scale: 3, sigma: 0.8, minSize });
    assertDense(labels, count);
    const sizes = sizesOf(labels, count);
    assert.ok(Math.min(...sizes) >= minSize, `min_size ${minSize}: smallest segment ${Math.min(...sizes)}`);
    // Colour steps of >= 0.5 against k = 3/255: no segment crosses a region boundary.
    assert.is(purity(labels, region), 1, `min_size ${minSize}: a segment straddles two regions`);
  }
});

test('1x1 and single-row images', () => {
  const one = felzenszwalb(new Float32Array([0.5, 0.1]), 1, 1);
  assert.equal([Array.from(one.labels), one.count], [[0], 1]);
  const row = felzenszwalb(new Float32Array([0, 0, 0, 1, 1, 1]), 1, 6, { sigma: 0, minSize: 1 });
  assert.equal(Array.from(row.labels), [0, 0, 0, 1, 1, 1]);
});

test.run();
