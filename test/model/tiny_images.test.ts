// Issue 9, finding 5: images of 2, 3, 4 and 9 pixels used to end in a silhouette RangeError
// after training (more labels than pixels - 1). They segment now; the silhouette is null
// where it is undefined.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { segment } from '../../model/segment.ts';
import { testEngine } from '../gpu.ts';
import { rng } from '../helpers.ts';

for (const [h, w] of [
  [1, 2],
  [1, 3],
  [2, 2],
  [3, 3],
] as const) {
  test(`a ${h}x${w} image segments with labels for every pixel`, async () => {
    const rt = await testEngine();
    const r = rng(h * w);
    const features = Float32Array.from({ length: h * w * 3 }, () => r());
    for (const finalLabels of ['forward', 'stop'] as const) {
      const { labels, report } = await segment(rt, { features, height: h, width: w, channels: 3 }, { maxIter: 3, minLabels: 1, finalLabels, seed: 1 });
      assert.is(labels.length, h * w);
      assert.ok(labels.every((l) => l >= 0 && l < report.labels));
      const k = report.labels;
      if (k >= 2 && k <= h * w - 1) assert.type(report.silhouette, 'number');
      else assert.is(report.silhouette, null);
    }
  });
}

test.run();
