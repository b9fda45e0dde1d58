// Sparse acquisitions (model/sparse.ts): the neighbour fill on hand-made grids, and segment()
// with each --sparse mode on a small masked image (labels -1 outside the mask, same seed same
// labels, the fill visible in the network input, bad values rejected).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSegmentOptions } from '../../cli/segment-options.ts';
import { Random } from '../../engine/random.ts';
import { SEGMENT_DEFAULTS } from '../../model/defaults.ts';
import { segment, type SegmentOptions } from '../../model/segment.ts';
import { fillMasked, SPARSE_MODES } from '../../model/sparse.ts';
import { testEngine } from '../gpu.ts';

test('fillMasked: measured pixels unchanged; one measured pixel fills the whole grid with its values', () => {
  const h = 3, w = 5, c = 2;
  const img = new Float32Array(h * w * c);
  const mask = new Uint8Array(h * w);
  mask[7] = 1;
  img[14] = 0.25;
  img[15] = 0.75;
  const out = fillMasked(img, mask, h, w, c);
  for (let i = 0; i < h * w; i++) assert.equal([out[i * c], out[i * c + 1]], [0.25, 0.75], `pixel ${i}`);
  assert.equal(img[0], 0, 'the input is not modified');
});

test('fillMasked: rounds take the mean of the 8 neighbours known at the start of the round', () => {
  // 1 x 5 row, measured at both ends: round 1 fills 1 and 3 from 0 and 4; round 2 fills 2 from both.
  const img = Float32Array.from([1, 0, 0, 0, 5]);
  const out = fillMasked(img, [1, 0, 0, 0, 1], 1, 5, 1);
  assert.equal(Array.from(out), [1, 1, 3, 5, 5]);
  // 3 x 3, corners measured: edge centres take the mean of their two corners, the centre the mean of the 4 edges.
  const g = Float32Array.from([1, 0, 2, 0, 0, 0, 3, 0, 6]);
  const o = fillMasked(g, [1, 0, 1, 0, 0, 0, 1, 0, 1], 3, 3, 1);
  // round 1: every non-corner pixel touches a corner (the centre all four: (1+2+3+6)/4 = 3).
  assert.equal(Array.from(o), [1, 1.5, 2, 2, 3, 4, 3, 4.5, 6]);
});

test('fillMasked: odd grid, random mask: every pixel finite, result independent of call, errors on no measured pixel', () => {
  const h = 7, w = 9, c = 3;
  const r = new Random(3);
  const img = Float32Array.from({ length: h * w * c }, () => r.uniform());
  const mask = Uint8Array.from({ length: h * w }, () => (r.uniform() < 0.2 ? 1 : 0));
  mask[0] = 1;
  const masked = img.map((v, i) => (mask[Math.floor(i / c)] ? v : 0));
  const a = fillMasked(masked, mask, h, w, c), b = fillMasked(masked, mask, h, w, c);
  assert.equal(Array.from(a), Array.from(b));
  for (let i = 0; i < h * w * c; i++) {
    assert.ok(Number.isFinite(a[i]!) && a[i]! >= 0 && a[i]! <= 1, `value ${i} = ${a[i]}`);
    if (mask[Math.floor(i / c)]) assert.is(a[i], masked[i]);
  }
  let message = '';
  try {
    fillMasked(masked, new Uint8Array(h * w), h, w, c);
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /no measured pixel/);
});

const H = 11, W = 13, N = H * W;
/** Two regions (left / right) over 3 features plus noise; a mask of ~45 % random pixels. */
function sparseImage(seed = 1): { features: Float32Array; mask: Uint8Array } {
  const r = new Random(seed);
  const features = new Float32Array(N * 3);
  for (let i = 0; i < N; i++) for (let j = 0; j < 3; j++) features[i * 3 + j] = (i % W < W / 2 ? j % 2 : 1 - (j % 2)) + r.normal(0, 0.1);
  const mask = Uint8Array.from({ length: N }, () => (r.uniform() < 0.45 ? 1 : 0));
  return { features, mask };
}
const small: SegmentOptions = { channels: 8, layers: 2, q: 12, maxIter: 4, minLabels: 2, restarts: 1 };

test('segment: every --sparse mode runs on a sparse grid, masked pixels get -1, same seed same labels', async () => {
  const rt = await testEngine();
  const { features, mask } = sparseImage();
  for (const sparse of SPARSE_MODES) {
    const run = () => segment(rt, { features, height: H, width: W, channels: 3, mask }, { ...small, seed: 5, sparse });
    const [a, b] = [await run(), await run()];
    assert.equal(Array.from(a.labels), Array.from(b.labels), `${sparse}: deterministic`);
    for (let i = 0; i < N; i++) assert.ok(mask[i] ? a.labels[i]! >= 0 : a.labels[i] === -1, `${sparse}: pixel ${i}`);
    assert.is(a.report.parameters.sparse, sparse);
    assert.is(a.report.iterations, a.report.loss.length);
    for (const l of a.report.loss) assert.ok(Number.isFinite(l), `${sparse}: finite loss`);
  }
});

test('segment: --sparse fill feeds the network the neighbour fill; zeros and exclude keep 0 outside the mask', async () => {
  const rt = await testEngine();
  const { features, mask } = sparseImage(2);
  const zeros = await segment(rt, { features, height: H, width: W, channels: 3, mask }, { ...small, sparse: 'zeros' });
  const fill = await segment(rt, { features, height: H, width: W, channels: 3, mask }, { ...small, sparse: 'fill' });
  const exclude = await segment(rt, { features, height: H, width: W, channels: 3, mask }, { ...small, sparse: 'exclude' });
  for (let i = 0; i < N; i++) if (!mask[i]) assert.equal(Array.from(zeros.embedding.subarray(i * 3, i * 3 + 3)), [0, 0, 0]);
  assert.equal(Array.from(exclude.embedding), Array.from(zeros.embedding));
  assert.equal(Array.from(fill.embedding), Array.from(fillMasked(zeros.embedding, mask, H, W, 3)));
});

test('segment: exclude differs from zeros on a sparse grid, and equals it without a mask', async () => {
  const rt = await testEngine();
  const { features, mask } = sparseImage(3);
  const opts = { ...small, seed: 2, finalLabels: 'stop' } as const;
  const lossOf = async (sparse: 'zeros' | 'exclude', m?: Uint8Array) =>
    (await segment(rt, { features, height: H, width: W, channels: 3, ...(m ? { mask: m } : {}) }, { ...opts, sparse })).report.loss;
  assert.not.equal(await lossOf('exclude', mask), await lossOf('zeros', mask), 'the losses see only measured pixels');
  assert.equal(await lossOf('exclude'), await lossOf('zeros'), 'no mask: nothing to exclude');
});

test('segment: an unknown --sparse value is an input error', async () => {
  const rt = await testEngine();
  const { features, mask } = sparseImage();
  let message = '';
  try {
    await segment(rt, { features, height: H, width: W, channels: 3, mask }, { ...small, sparse: 'drop' as never });
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /--sparse must be one of zeros, exclude, fill, both/);
});

test('CLI: --sparse reaches segment() options, defaults to SEGMENT_DEFAULTS.sparse, rejects unknown modes before any work', () => {
  assert.is(parseSegmentOptions('a.imzML', { out: 'o', sparse: 'both' }).model.sparse, 'both');
  assert.is(parseSegmentOptions('a.imzML', { out: 'o' }).model.sparse, SEGMENT_DEFAULTS.sparse);
  assert.throws(() => parseSegmentOptions('a.imzML', { out: 'o', sparse: 'drop' }), /--sparse must be zeros, exclude, fill or both/);
});

test.run();
