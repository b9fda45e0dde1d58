import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cellOf, cellStart, kernelLayout, slicAssign, slicGrid, slicInitCentres, slicUpdate, type SlicGrid } from '../../engine/index.ts';
import { slicKernels } from '../../kernels/slic.ts';
import { enforceConnectivity } from '../../model/superpixels/connectivity.ts';
import { slic } from '../../model/superpixels/slic.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, rng, uniform } from '../helpers.ts';
import { assertDense, assertFourConnected, purity, sizesOf } from '../model/superpixel_checks.ts';

const fr = Math.fround;

// ---------- CPU references (float32 arithmetic, same tie rules as the WGSL) ----------

function gradAt(img: Float32Array, g: SlicGrid, c: number, x: number, y: number): number {
  const px = (xx: number, yy: number, ch: number) => img[(yy * g.width + xx) * c + ch]!;
  const xl = Math.max(x - 1, 0), xr = Math.min(x + 1, g.width - 1), yu = Math.max(y - 1, 0), yd = Math.min(y + 1, g.height - 1);
  let s = 0;
  for (let ch = 0; ch < c; ch++) {
    const gx = fr(px(xr, y, ch) - px(xl, y, ch)), gy = fr(px(x, yd, ch) - px(x, yu, ch));
    s = fr(s + fr(fr(gx * gx) + fr(gy * gy)));
  }
  return s;
}

function cpuInit(img: Float32Array, g: SlicGrid, c: number): Float32Array {
  const out = new Float32Array(g.nx * g.ny * (c + 2));
  for (let k = 0; k < g.nx * g.ny; k++) {
    const ci = k % g.nx, cj = Math.floor(k / g.nx);
    const x0 = cellStart(ci, g.width, g.nx), x1 = cellStart(ci + 1, g.width, g.nx);
    const y0 = cellStart(cj, g.height, g.ny), y1 = cellStart(cj + 1, g.height, g.ny);
    const mx = Math.floor((x0 + x1 - 1) / 2), my = Math.floor((y0 + y1 - 1) / 2);
    let bx = mx, by = my, bg = gradAt(img, g, c, mx, my);
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const x = mx + dx, y = my + dy;
        if (x < x0 || x >= x1 || y < y0 || y >= y1) continue;
        const gr = gradAt(img, g, c, x, y);
        if (gr < bg) [bg, bx, by] = [gr, x, y];
      }
    out.set([bx, by, ...img.subarray((by * g.width + bx) * c, (by * g.width + bx + 1) * c)], k * (c + 2));
  }
  return out;
}

/** SLIC distance of pixel i to centre k, in float64 (for judging near-ties). */
function dist(img: Float32Array, cen: Float32Array, g: SlicGrid, c: number, spatial: number, i: number, k: number): number {
  const o = k * (c + 2);
  let d = 0;
  for (let ch = 0; ch < c; ch++) d += (img[i * c + ch]! - cen[o + 2 + ch]!) ** 2;
  return d + spatial * ((i % g.width) - cen[o]!) ** 2 + spatial * (Math.floor(i / g.width) - cen[o + 1]!) ** 2;
}

/** Centres of the 3x3 cells around pixel i, in increasing index order. */
function candidates(g: SlicGrid, i: number): number[] {
  const cx = cellOf(i % g.width, g.width, g.nx), cy = cellOf(Math.floor(i / g.width), g.height, g.ny);
  const ks: number[] = [];
  for (let j = cy - 1; j <= cy + 1; j++) for (let ii = cx - 1; ii <= cx + 1; ii++) if (j >= 0 && j < g.ny && ii >= 0 && ii < g.nx) ks.push(j * g.nx + ii);
  return ks;
}

function cpuAssign(img: Float32Array, cen: Float32Array, g: SlicGrid, c: number, spatial: number): Int32Array {
  const out = new Int32Array(g.width * g.height);
  for (let i = 0; i < out.length; i++) {
    let best = Infinity, bestK = -1;
    for (const k of candidates(g, i)) {
      const o = k * (c + 2);
      let dc = 0;
      for (let ch = 0; ch < c; ch++) {
        const d = fr(img[i * c + ch]! - cen[o + 2 + ch]!);
        dc = fr(dc + fr(d * d));
      }
      const dx = fr((i % g.width) - cen[o]!), dy = fr(Math.floor(i / g.width) - cen[o + 1]!);
      const dd = fr(dc + fr(fr(spatial) * fr(fr(dx * dx) + fr(dy * dy))));
      if (dd < best) [best, bestK] = [dd, k];
    }
    out[i] = bestK;
  }
  return out;
}

/** Mean [x, y, colour] of each centre's pixels (float64); centres with none keep `old`. */
function cpuUpdate(img: Float32Array, labels: Int32Array, old: Float32Array, g: SlicGrid, c: number): Float32Array {
  const s = c + 2, k = g.nx * g.ny;
  const sum = new Float64Array(k * s), cnt = new Float64Array(k);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    cnt[l]!++;
    sum[l * s]! += i % g.width;
    sum[l * s + 1]! += Math.floor(i / g.width);
    for (let ch = 0; ch < c; ch++) sum[l * s + 2 + ch]! += img[i * c + ch]!;
  }
  return Float32Array.from(old, (v, j) => (cnt[Math.floor(j / s)]! > 0 ? sum[j]! / cnt[Math.floor(j / s)]! : v));
}

/** Centres jittered around their cells (up to one step), colours random: a fair assignment input. */
function randomCentres(g: SlicGrid, c: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(g.nx * g.ny * (c + 2));
  for (let k = 0; k < g.nx * g.ny; k++) {
    const ci = k % g.nx, cj = Math.floor(k / g.nx);
    const mx = (cellStart(ci, g.width, g.nx) + cellStart(ci + 1, g.width, g.nx) - 1) / 2;
    const my = (cellStart(cj, g.height, g.ny) + cellStart(cj + 1, g.height, g.ny) - 1) / 2;
    out[k * (c + 2)] = mx + (r() - 0.5) * g.step;
    out[k * (c + 2) + 1] = my + (r() - 0.5) * g.step;
    for (let ch = 0; ch < c; ch++) out[k * (c + 2) + 2 + ch] = r();
  }
  return out;
}

// ---------- single steps vs the CPU ----------

// [height, width, channels, nSegments]
const SHAPES: [number, number, number, number][] = [
  [37, 23, 3, 30],
  [70, 70, 3, 500],
  [1, 1, 3, 1],
  [5, 3, 1, 4],
  [23, 37, 5, 40],
  [3, 71, 2, 9],
  [11, 13, 12, 6], // 15 quantities: two reduction rounds in the update
];

for (const [h, w, c, ns] of SHAPES) {
  test(`SLIC init, assignment and update steps match the CPU: ${h}x${w}x${c}, ${ns} segments`, async () => {
    const rt = await testEngine();
    const g = slicGrid(h, w, ns);
    const img = uniform(h * w * c, h * 1000 + w, 0, 1);
    const spatial = (0.3 / g.step) ** 2;
    await rt.scopeAsync(async () => {
      const timg = rt.fromData(img, [h * w, c]);
      // Init: exact (same float32 gradients, same scan order).
      const init = (await slicInitCentres(rt, timg, g).read()) as Float32Array;
      assert.equal(Array.from(init), Array.from(cpuInit(img, g, c)), 'initial centres');

      // Assignment from jittered random centres. Labels may differ only on float near-ties.
      const cen = randomCentres(g, c, 5 + h);
      const tcen = rt.fromData(cen, [g.nx * g.ny, c + 2]);
      const labels = slicAssign(rt, timg, tcen, g, spatial);
      const got = (await labels.read()) as Int32Array;
      const want = cpuAssign(img, cen, g, c, spatial);
      let ties = 0;
      for (let i = 0; i < got.length; i++) {
        if (got[i] === want[i]) continue;
        assert.ok(candidates(g, i).includes(got[i]!), `pixel ${i}: label ${got[i]} is not a 3x3-cell neighbour`);
        const dg = dist(img, cen, g, c, spatial, i, got[i]!), dw = dist(img, cen, g, c, spatial, i, want[i]!);
        assert.ok(Math.abs(dg - dw) <= 1e-5 * Math.max(dg, dw, 1e-6), `pixel ${i}: GPU label ${got[i]} (d ${dg}) vs CPU ${want[i]} (d ${dw})`);
        ties++;
      }
      assert.ok(ties <= Math.max(1, got.length / 1000), `${ties} near-tie mismatches`);

      // Update from the GPU's own labels: float32 workgroup sums vs float64 means.
      slicUpdate(rt, timg, labels, tcen, g);
      const upd = (await tcen.read()) as Float32Array;
      assertClose(upd, cpuUpdate(img, got, cen, g, c), { rtol: 1e-5, absTol: 1e-6, what: 'updated centres' });
    });
  });
}

test('SLIC update: a centre that owns no pixel keeps its value; the gather is deterministic', async () => {
  const rt = await testEngine();
  const h = 9, w = 11, c = 2;
  const g = slicGrid(h, w, 9);
  assert.equal([g.nx, g.ny], [3, 3]);
  const img = uniform(h * w * c, 3, 0, 1);
  // Every pixel goes to its own cell's centre, except cell 4 (the middle) which gives its
  // pixels to cell 3, its left neighbour (within the 3x3 window, as the assignment allows).
  const labels = new Int32Array(h * w);
  for (let i = 0; i < labels.length; i++) {
    const k = cellOf(Math.floor(i / w), h, g.ny) * g.nx + cellOf(i % w, w, g.nx);
    labels[i] = k === 4 ? 3 : k;
  }
  const cen = randomCentres(g, c, 9);
  await rt.scopeAsync(async () => {
    const timg = rt.fromData(img, [h * w, c]), tlab = rt.fromData(labels, [h * w], 'i32');
    const runs: Float32Array[] = [];
    for (let r = 0; r < 2; r++) {
      const tcen = rt.fromData(cen, [9, c + 2]);
      slicUpdate(rt, timg, tlab, tcen, g);
      runs.push((await tcen.read()) as Float32Array);
    }
    const want = cpuUpdate(img, labels, cen, g, c);
    assertClose(runs[0]!, want, { rtol: 1e-5, absTol: 1e-6, what: 'centres' });
    assert.equal(Array.from(runs[0]!.subarray(4 * (c + 2), 5 * (c + 2))), Array.from(cen.subarray(4 * (c + 2), 5 * (c + 2))), 'empty centre unchanged');
    assert.equal(Array.from(runs[0]!), Array.from(runs[1]!), 'bit-identical reruns');
  });
});

// ---------- connectivity pass ----------

test('connectivity: split labels become separate segments, small pieces merge, ids dense', () => {
  // 4 x 6. Label 7 in two pieces (left block, right column); label 3 a single pixel (merges
  // into the piece left of it); label 5 fills the rest.
  const raw = Int32Array.from([
    7, 7, 5, 5, 5, 7,
    7, 7, 5, 3, 5, 7,
    5, 5, 5, 5, 5, 7,
    5, 5, 5, 5, 5, 7,
  ]);
  const { labels, count } = enforceConnectivity(raw, 4, 6, 2);
  assert.is(count, 3);
  assert.equal(Array.from(labels), [
    0, 0, 1, 1, 1, 2,
    0, 0, 1, 1, 1, 2,
    1, 1, 1, 1, 1, 2,
    1, 1, 1, 1, 1, 2,
  ]);
  // minSize 1 keeps the single pixel.
  assert.is(enforceConnectivity(raw, 4, 6, 1).count, 4);
});

test('connectivity: a small first piece (pixel 0) merges into a neighbour', () => {
  const raw = Int32Array.from([
    1, 2, 2,
    2, 2, 2,
  ]);
  const { labels, count } = enforceConnectivity(raw, 2, 3, 2);
  assert.is(count, 1);
  assert.equal(Array.from(labels), [0, 0, 0, 0, 0, 0]);
  // Two small pieces only: they merge into one rather than cycling.
  const two = enforceConnectivity(Int32Array.from([4, 9]), 1, 2, 5);
  assert.equal([Array.from(two.labels), two.count], [[0, 0], 1]);
});

// ---------- full SLIC ----------

/** 70 x 70 x 3: a disc, a diagonal band and two half-planes of distinct colours, + noise. */
function synthetic(h: number, w: number, noise: number, seed: number): { img: Float32Array; region: Int32Array } {
  const r = rng(seed);
  const region = new Int32Array(h * w);
  const img = new Float32Array(h * w * 3);
  const colours = [[0.1, 0.1, 0.1], [0.9, 0.2, 0.2], [0.2, 0.8, 0.3], [0.3, 0.3, 0.9]];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      region[i] = (x - 0.6 * w) ** 2 + (y - 0.35 * h) ** 2 < (0.2 * w) ** 2 ? 1 : Math.abs(x - y) < 0.1 * w ? 2 : x < w / 3 ? 3 : 0;
      for (let ch = 0; ch < 3; ch++) img[i * 3 + ch] = colours[region[i]!]![ch]! + noise * (r() - 0.5);
    }
  return { img, region };
}

test('SLIC on a piecewise-constant 70x70x3 image: connected, dense, boundaries recovered, deterministic', async () => {
  const rt = await testEngine();
  const { img, region } = synthetic(70, 70, 0.1, 1);
  const opts = { nSegments: 100, compactness: 0.1 };
  const a = await slic(rt, img, 70, 70, opts);
  assertDense(a.labels, a.count);
  assertFourConnected(a.labels, 70, 70);
  assert.ok(a.count >= 60 && a.count <= 140, `count ${a.count}`);
  const meanSize = (70 * 70) / 100;
  assert.ok(Math.min(...sizesOf(a.labels, a.count)) >= Math.floor(meanSize / 4), 'fragments merged');
  const p = purity(a.labels, region);
  assert.ok(p >= 0.99, `purity ${p}`);
  const b = await slic(rt, rt.fromData(img, [70 * 70, 3]), 70, 70, opts);
  assert.equal(Array.from(b.labels), Array.from(a.labels), 'same result from a tensor, run to run');
});

test('SLIC on noise: every label one 4-connected region, labels dense (odd sizes, C = 1 and 4)', async () => {
  const rt = await testEngine();
  for (const [h, w, c, ns, m] of [[37, 23, 1, 40, 0.05], [23, 41, 4, 25, 0.5], [5, 3, 1, 4, 1]] as const) {
    const { labels, count } = await slic(rt, uniform(h * w * c, w, 0, 1), h, w, { nSegments: ns, compactness: m });
    assertDense(labels, count, `${h}x${w}x${c}`);
    assertFourConnected(labels, h, w, `${h}x${w}x${c}`);
  }
  const one = await slic(rt, new Float32Array([0.3, 0.2, 0.1]), 1, 1);
  assert.equal([Array.from(one.labels), one.count], [[0], 1]);
});

test('SLIC kernels declare the bindings their WGSL uses (C = 1, 3, 12)', () => {
  for (const c of [1, 3, 12]) for (const k of slicKernels(c)) kernelLayout(k);
});

test.run();
