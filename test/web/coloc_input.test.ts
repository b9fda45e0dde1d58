// web/coloc-input.ts in Node (no GPU): the coloc tab's loader gives coloc() the same stack as
// `msinet coloc` would for each kind of input, and turns bad input into clear InputErrors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadStack as cliLoadStack } from '../../cli/coloc-input.ts';
import { encodeNpy } from '../../io/npy.ts';
import { simulateIonStack, simulateMsi } from '../../io/simulator.ts';
import { writeSimulation } from '../../io/simulator-node.ts';
import { colocOptions, loadStack } from '../../web/coloc-input.ts';
import type { ColocRunOptions } from '../../web/messages.ts';

const O: ColocRunOptions = { seed: 1, k: null, epochs: 2, batch: 4, method: 'cosine', side: 16, selfLabelEpochs: 0, topK: 12, binWidth: 0.01, binUnit: 'da', normalize: 'tic' };
const npyFile = (name: string, data: Float32Array | Float64Array, shape: number[]) => new File([encodeNpy(data, shape) as BlobPart], name);
const none = () => {};

test('simulated: the simulator stack with its m/z and groups', async () => {
  const got = await loadStack({ kind: 'simulated', seed: 2, images: 10, groups: 2, size: 12 }, O, none);
  const sim = simulateIonStack({ seed: 2, images: 10, groups: 2, width: 12, height: 12, counts: 200 });
  assert.equal([got.stack.n, got.stack.height, got.stack.width], [10, 12, 12]);
  assert.equal(got.stack.images, sim.images);
  assert.equal(got.mz, sim.mz);
  assert.equal(got.truth, sim.groups);
});

test('(n, H, W) stack with an m/z .npy; (H, W, C) cube: one image per column', async () => {
  const imgs = Float32Array.from({ length: 3 * 8 * 9 }, (_, i) => (i * 7) % 11);
  const mz = Float64Array.from([101.5, 202.25, 303]);
  const a = await loadStack({ kind: 'npy', file: npyFile('s.npy', imgs, [3, 8, 9]), layout: 'nhw', shape: null, mzFile: npyFile('mz.npy', mz, [3]) }, O, none);
  assert.equal([a.stack.n, a.stack.height, a.stack.width], [3, 8, 9]);
  assert.equal(a.stack.images, imgs);
  assert.equal(a.mz, mz);
  // The same numbers as an (8, 9, 3) cube: image j is column j.
  const b = await loadStack({ kind: 'npy', file: npyFile('c.npy', imgs, [8, 9, 3]), layout: 'hwc', shape: null }, O, none);
  assert.equal([b.stack.n, b.stack.height, b.stack.width], [3, 8, 9]);
  for (let j = 0; j < 3; j++) for (let p = 0; p < 72; p++) assert.is(b.stack.images[j * 72 + p], imgs[p * 3 + j]);
  // An (N, C) matrix needs the image size.
  const m = await loadStack({ kind: 'npy', file: npyFile('m.npy', imgs, [72, 3]), layout: 'hwc', shape: [8, 9] }, O, none);
  assert.equal(m.stack.images, b.stack.images);
});

test('bad .npy input: clear messages', async () => {
  const x = new Float32Array(72 * 3);
  const err = (p: Promise<unknown>): Promise<Error> => p.then(() => { throw new Error('no error'); }, (e: Error) => e);
  const e1 = await err(loadStack({ kind: 'npy', file: npyFile('m.npy', x, [72, 3]), layout: 'hwc', shape: null }, O, none));
  assert.match(e1.message, /m\.npy is a \(72, 3\) matrix: type the image size/);
  const e2 = await err(loadStack({ kind: 'npy', file: npyFile('m.npy', x, [72, 3]), layout: 'nhw', shape: null }, O, none));
  assert.match(e2.message, /an \(n, H, W\) stack must be 3-D, got shape \(72, 3\)/);
  const e3 = await err(loadStack({ kind: 'npy', file: npyFile('s.npy', x, [3, 8, 9]), layout: 'nhw', shape: null, mzFile: npyFile('mz.npy', new Float64Array(4), [4]) }, O, none));
  assert.match(e3.message, /mz\.npy has 4 m\/z values for 3 images/);
  for (const e of [e1, e2, e3]) assert.is(e.name, 'UserError'); // the worker shows these as input errors
});

test('imzML pair: the same stack and m/z as the CLI loader', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'msinet-coloc-input-'));
  try {
    await writeSimulation(dir, simulateMsi({ seed: 5, width: 10, height: 9, regions: 3, mode: 'processed' }));
    const [header, ibd] = ['simulated.imzML', 'simulated.ibd'].map((n) => new File([readFileSync(join(dir, n))], basename(n)));
    const web = await loadStack({ kind: 'imzml', header: header!, ibd: ibd! }, O, none);
    const cli = await cliLoadStack(join(dir, 'simulated.imzML'), 'hwc', null, { topK: O.topK, binWidth: O.binWidth, binUnit: O.binUnit, normalize: O.normalize });
    assert.equal([web.stack.n, web.stack.height, web.stack.width], [12, 9, 10]);
    assert.equal(web.stack.images, cli.stack.images);
    assert.equal(web.mz, cli.mz);
    assert.equal(web.stack.mask, cli.stack.mask);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('colocOptions: the page options as coloc()\'s', () => {
  assert.equal(colocOptions(O), { seed: 1, k: undefined, epochs: 2, batch: 4, method: 'cosine', side: 16, selfLabelEpochs: 0 });
  assert.is(colocOptions({ ...O, k: 3 }).k, 3);
});

test.run();
