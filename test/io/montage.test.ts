// The coloc montage PNG: valid PNG, one row per cluster, width from the largest cluster; the
// mean image's pixels are the members' mean.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderMontage } from '../../io/montage.ts';
import { decodePng } from './png_reader.ts';

test('montage: one row per cluster, mean image first, PNG header right', () => {
  const H = 6, W = 6, n = 5;
  const images = new Float32Array(n * H * W);
  for (let i = 0; i < n; i++) images.fill(i / 4, i * H * W, (i + 1) * H * W);
  const clusters = [0, 1, 0, 1, 1];
  const png = renderMontage(images, n, H, W, clusters, ['100.5', '2', '3', '4', '5'], { thumb: 12 });
  const h = decodePng(png);
  // pad 4; cells of thumb + 4 wide, thumb + 8 + 4 high; 1 mean + 3 members in the largest cluster.
  assert.equal([h.width, h.height, h.channels], [4 * 16 + 4, 2 * 24 + 4, 3]);
  const at = (x: number, y: number) => h.pixels[(y * h.width + x) * 3]!;
  // Cluster 0 = images 0 and 2 (values 0 and 0.5): mean 0.25 -> 64; cluster 1 = 1, 3, 4 -> mean 2/3 -> 170.
  assert.is(at(4 + 6, 4 + 6), 64);
  assert.is(at(4 + 6, 4 + 24 + 6), 170);
  // First member of cluster 1 is image 1 (0.25 -> 64).
  assert.is(at(4 + 16 + 6, 4 + 24 + 6), 64);
});

test.run();
