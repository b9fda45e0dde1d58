// io/coloc-results.ts: the pure helpers `msinet coloc` and the web app's coloc tab share.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clustersCsv, imageName, imagesOfColumns, resolveQuery } from '../../io/coloc-results.ts';

test('imagesOfColumns: pixel-major [P, C] -> C images of P pixels', () => {
  const f = Float32Array.from([1, 10, 2, 20, 3, 30]); // 3 pixels, 2 features
  assert.equal(Array.from(imagesOfColumns(f, 3, 2)), [1, 2, 3, 10, 20, 30]);
});

test('resolveQuery: #index, a bare index without m/z, the nearest m/z, and clear errors', () => {
  const mz = Float64Array.from([100.1, 250.5, 400.25]);
  assert.is(resolveQuery('#2', 3), 2);
  assert.is(resolveQuery(' 1 ', 3), 1);
  assert.is(resolveQuery('#0', 3, mz), 0);
  assert.is(resolveQuery('250', 3, mz), 1); // with m/z, a bare number is an m/z
  assert.is(resolveQuery('1000', 3, mz), 2);
  assert.throws(() => resolveQuery('#3', 3, mz), /#3: not an image index in 0\.\.2/);
  assert.throws(() => resolveQuery('#', 3), /not an image index/);
  assert.throws(() => resolveQuery('1.5', 3), /not an image index/);
  assert.throws(() => resolveQuery('abc', 3, mz), /must be an m\/z or #index, got "abc"/);
  assert.throws(() => resolveQuery('', 3, mz), /must be an m\/z or #index/);
  try {
    resolveQuery('#9', 3);
  } catch (e) {
    assert.is((e as Error).name, 'ColocInputError');
  }
});

test('imageName and clustersCsv: m/z when known, else the index', () => {
  const mz = Float64Array.from([100.123456789, 200]);
  assert.is(imageName(0, mz), '100.1235');
  assert.is(imageName(1), '1');
  const r = { clusters: Int32Array.from([1, 0]), confidence: Float32Array.from([0.5, 0.25]) };
  assert.is(clustersCsv(r, mz), 'index,mz,cluster,confidence\n0,100.123457,1,0.5\n1,200,0,0.25\n');
  assert.is(clustersCsv(r), 'index,mz,cluster,confidence\n0,,1,0.5\n1,,0,0.25\n');
});

test.run();
