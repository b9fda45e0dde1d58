// The GPU side of colocalization: NT-Xent gradients on the layout SimCLR uses here (rows i and
// i + B are two views of image i) through a linear projection, the encoder's shapes, and
// SimCLR + embeddings on a tiny stack: same seed, bit-identical losses and embeddings.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linear, ntXent } from '../../engine/index.ts';
import { simulateIonStack } from '../../io/simulator.ts';
import { ColocEncoder, ProjectionHead } from '../../model/coloc/encoder.ts';
import { prepareImages } from '../../model/coloc/prepare.ts';
import { batchesOf, cosineLr, embed, trainSimclr } from '../../model/coloc/simclr.ts';
import { imageStats, resizeToBase } from '../../model/coloc/views.ts';
import { Random } from '../../engine/random.ts';
import { testEngine } from '../gpu.ts';
import { gradCheck, randn } from '../helpers.ts';

test('NT-Xent through a projection, 2B = 10 views (pairs i, i + 5), gradients by finite differences', async () => {
  const rt = await testEngine();
  const B = 5, d = 7, q = 4;
  await gradCheck(
    rt,
    [
      { data: randn(2 * B * d, 1), shape: [2 * B, d] },
      { data: randn(d * q, 2, 0.5), shape: [d, q] },
      { data: randn(q, 3, 0.1), shape: [q] },
    ],
    ([h, w, b]) => ntXent(linear(h!, w!, b!), 0.2),
    { samples: 12 },
  );
});

test('batches cover every image once (a last single image joins the previous batch); cosine schedule', () => {
  const b = batchesOf(9, 4, new Random(1));
  assert.equal(b.map((x) => x.length), [4, 5]);
  assert.equal(b.flat().sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.is(cosineLr(1, 0, 10), 1);
  assert.ok(Math.abs(cosineLr(1, 5, 10) - 0.5) < 1e-12);
  assert.ok(Math.abs(cosineLr(1, 10, 10)) < 1e-12);
});

async function tinyRun(seed: number) {
  const rt = await testEngine();
  const st = simulateIonStack({ seed: 3, groups: 2, images: 6, width: 16, height: 16 });
  const prep = prepareImages({ images: st.images, n: 6, height: 16, width: 16 });
  const side = 16;
  const res = resizeToBase(rt, prep, new Float32Array(256).fill(1), 6, 16, 16, side);
  const base = { images: res.images, mask: res.mask, side, stats: imageStats((await res.images.read()) as Float32Array, 6, side * side) };
  const enc = new ColocEncoder(rt, { channels: [4, 8], projection: 8, side, seed });
  const head = new ProjectionHead(rt, 8, 8, seed + 1);
  try {
    const losses = await trainSimclr(rt, enc, head, base, { epochs: 3, batch: 3, lr: 3e-3, temperature: 0.2, seed });
    return { losses, h: await embed(rt, enc, base, 4) };
  } finally {
    enc.dispose();
    head.dispose();
    res.images.dispose();
    res.mask.dispose();
  }
}

test('SimCLR on 6 images of 16 x 16: finite losses, embeddings [6, 8]; same seed bit-identical, another seed differs', async () => {
  const a = await tinyRun(1), b = await tinyRun(1), c = await tinyRun(2);
  assert.is(a.losses.length, 3);
  assert.ok(a.losses.every(Number.isFinite));
  assert.is(a.h.length, 6 * 8);
  assert.equal(a.losses, b.losses);
  assert.equal(Array.from(a.h), Array.from(b.h));
  assert.ok(c.h.some((v, i) => v !== a.h[i]));
});

test.run();
