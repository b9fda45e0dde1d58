// What the web app needs from segment() while it trains: each iteration's label map (for the
// live view) and a stop signal (the Stop button) that ends training after the current
// iteration and still returns a full result.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { segment } from '../../model/segment.ts';
import { testEngine } from '../gpu.ts';

const H = 9, W = 11, N = H * W, Q = 12;
const features = Float32Array.from({ length: N * 3 }, (_, k) => ((Math.floor(k / 3) % W < 5 ? 1 : 0) + 0.1 * Math.sin(k)) * ((k % 3) + 1));
const small = { channels: 8, layers: 2, q: Q, minLabels: 1, seed: 2, restarts: 1 };

test('segment(): readLabels() gives each iteration\'s argmax map; a stop signal ends training early', async () => {
  const rt = await testEngine();
  const signal = { aborted: false };
  const maps: Int32Array[] = [];
  const pending: Promise<void>[] = [];
  const res = await segment(rt, { features, height: H, width: W, channels: 3 }, {
    ...small,
    maxIter: 50,
    signal,
    onProgress: (phase, info) => {
      if (phase !== 'train') return;
      pending.push(info.readLabels!().then((m) => void (maps[info.iteration! - 1] = m)));
      if (info.iteration === 3) signal.aborted = true;
    },
  });
  await Promise.all(pending);
  assert.is(res.report.iterations, 3);
  assert.is(res.report.stopped, true);
  assert.is(maps.length, 3);
  for (const m of maps) {
    assert.is(m.length, N);
    assert.ok(m.every((l) => Number.isInteger(l) && l >= 0 && l < Q), 'label outside 0..q-1');
  }
  // Each map has as many distinct labels as the count the iteration reported.
  assert.equal(maps.map((m) => new Set(m).size), res.report.labelCounts);
  assert.is(res.labels.length, N);
});

test('segment(): without a signal the report has no `stopped`', async () => {
  const res = await segment(await testEngine(), { features, height: H, width: W, channels: 3 }, { ...small, maxIter: 2 });
  assert.is(res.report.iterations, 2);
  assert.is(res.report.stopped, undefined);
});

test.run();
