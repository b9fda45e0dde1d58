import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backwardWith, cosineCross, cosineGram, gemmTile, gramCross, gramSelf, isCpuAdapter, l2NormalizeRows, stridedRows, usesLaneGram } from '../../engine/index.ts';
import { gramFamily } from '../../kernels/gram.ts';
import { CPU_SMALL_TILE, GPU_TILE, gemmKernel, tileKey, type GemmTile } from '../../kernels/matmul.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, gradCheck, randn } from '../helpers.ts';
import { normalizeRowsBackwardRef, normalizeRowsRef } from './cosine_ref.ts';

const normalizeRows = (v: ArrayLike<number>, n: number, q: number) => normalizeRowsRef(v, n, q).u;

// ---- CPU references (f64 accumulation) ----
/** C [m, n] = A [m, k] B^T (B [n, k]). */
function abtRef(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i * k + t]! * b[j * k + t]!;
      c[i * n + j] = s;
    }
  return c;
}

/** C [m, n] = A [m, k] B [k, n]. */
function abRef(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let t = 0; t < k; t++) {
      const av = a[i * k + t]!;
      for (let j = 0; j < n; j++) c[i * n + j] += av * b[t * n + j]!;
    }
  return c;
}

const transpose = (a: ArrayLike<number>, r: number, c: number) => {
  const t = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = a[i * c + j]!;
  return t;
};


// f32 dot products of length k with unit-norm rows: |error| ~ k * 2^-24 at worst, well under
// 2e-6 for k <= 257; products of non-normalised data get a relative 1e-5 bound instead.
const COS_TOL = { rtol: 1e-5, absTol: 2e-6 };
const GEMM_TOL = { rtol: 1e-5, absTol: 1e-5 };

// The Gram's GEMMs run on the tiled generator of kernels/matmul.ts with gemmPlan's tile
// (undefined: on a CPU adapter CPU_SMALL_TILE for the small products and a CPU_TILE fit for
// 1225 x 100) or a forced one: a small square tile (several tiles, partial edge tiles), a
// non-square one (the symmetric store falls back to the full product) and GPU_TILE (slow to
// compile on lavapipe: two sizes). Sizes are odd and not multiples of any tile.
const SMALL: GemmTile = { bm: 16, bn: 16, bk: 4, rm: 4, rn: 4 };
// (Not matmul.test's 32x16 tile with bk 12, rm 8: SwiftShader does not finish compiling that one.)
const OBLONG: GemmTile = { bm: 32, bn: 16, bk: 4, rm: 4, rn: 4 };
const CASES: Array<[number, number, GemmTile | undefined]> = [
  ...([[1, 3], [3, 100], [70, 257], [257, 3], [257, 100], [1225, 100]] as const).map(([n, q]) => [n, q, undefined] as [number, number, undefined]),
  [70, 257, SMALL],
  [37, 13, OBLONG],
  [3, 5, GPU_TILE],
  [70, 257, GPU_TILE],
];

const tileName = (t: GemmTile | undefined) => (t ? `tile ${tileKey(t)}` : "gemmPlan's tile");

test("the Gram takes gemmPlan's tiles; CPU adapters' patch loss takes the lane GEMM unless a tile is forced", async () => {
  const rt = await testEngine();
  const cpu = /llvmpipe|lavapipe|swiftshader|software/i.test(JSON.stringify(rt.ctx.report));
  assert.is(isCpuAdapter(rt), cpu);
  assert.is(gemmTile(rt, 70, 70, 100), cpu ? CPU_SMALL_TILE : GPU_TILE);
  assert.is(usesLaneGram(rt), cpu);
  assert.is(usesLaneGram(rt, SMALL), false);
});

test('a symmetric store needs a square tile, scalar stores and no bias', () => {
  const f = gramFamily('n', 't');
  assert.throws(() => gemmKernel(f, { tile: OBLONG, symmetric: true }), /symmetric store/);
  assert.throws(() => gemmKernel(f, { tile: SMALL, symmetric: true, store4: true }), /symmetric store/);
  assert.throws(() => gemmKernel(f, { tile: SMALL, symmetric: true, bias: true }), /symmetric store/);
});

for (const [n, q, tile] of CASES) {
  test(`cosineGram forward and backward match CPU, n=${n} q=${q}, ${tileName(tile)}`, async () => {
    const rt = await testEngine();
    const v = randn(n * q, n * 3 + q);
    const g = randn(n * n, n + 1);
    const u = normalizeRows(v, n, q);
    await rt.scopeAsync(async () => {
      const tv = rt.fromData(v, [n, q]);
      tv.requiresGrad = true;
      const s = cosineGram(tv, 1e-12, { tile });
      const got = await s.read();
      assertClose(got, abtRef(u, u, n, n, q), { ...COS_TOL, what: 'S' });
      // Exactly symmetric: mirrored tiles are copies, diagonal tiles sum in the same order.
      for (let i = 0; i < n; i += 7) for (let j = 0; j < n; j += 5) assert.is(got[i * n + j], got[j * n + i]);
      backwardWith(s, rt.fromData(g, [n, n]));
      // dU = (G + G^T) U, then through the normalisation.
      const gs = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) gs[i * n + j] = g[i * n + j]! + g[j * n + i]!;
      const du = abRef(gs, u, n, q, n);
      const { u: un, nrm } = normalizeRowsRef(v, n, q);
      const dv = normalizeRowsBackwardRef(un, nrm, du, n, q);
      // The GEMM sums n terms of magnitude ~|g| into du; the projection then cancels most of
      // it (entirely for n = 1, where dv = 0), so the error scale is max|du| / min|v|.
      let duMax = 0, vMin = Infinity;
      for (const x of du) duMax = Math.max(duMax, Math.abs(x));
      for (let i = 0; i < n; i++) vMin = Math.min(vMin, Math.hypot(...v.subarray(i * q, i * q + q)));
      const got2 = await tv.grad!.read();
      const atol = 2e-6 * (duMax / vMin);
      for (let i = 0; i < dv.length; i++)
        assert.ok(Math.abs(got2[i]! - dv[i]!) <= atol + 1e-4 * Math.abs(dv[i]!), `dv[${i}] ${got2[i]} vs ${dv[i]} (atol ${atol})`);
      tv.grad!.dispose();
    });
  });
}

const CROSS: Array<[number, number, number, GemmTile | undefined]> = [
  [1, 1, 3, undefined],
  [3, 5, 100, undefined],
  [70, 33, 257, undefined],
  [257, 70, 3, undefined],
  [100, 257, 100, undefined],
  [70, 33, 257, SMALL],
  [70, 33, 257, GPU_TILE],
];
for (const [n, m, q, tile] of CROSS) {
  test(`gramCross forward and backward (A B^T, G B, G^T A) match CPU, ${n}x${m}x${q}, ${tileName(tile)}`, async () => {
    const rt = await testEngine();
    const a = randn(n * q, n + m + q), b = randn(m * q, n * m + q), g = randn(n * m, q);
    await rt.scopeAsync(async () => {
      const ta = rt.fromData(a, [n, q]), tb = rt.fromData(b, [m, q]);
      ta.requiresGrad = tb.requiresGrad = true;
      const s = gramCross(ta, tb, { tile });
      assertClose(await s.read(), abtRef(a, b, n, m, q), { ...GEMM_TOL, what: 'A B^T' });
      backwardWith(s, rt.fromData(g, [n, m]));
      assertClose(await ta.grad!.read(), abRef(g, b, n, q, m), { ...GEMM_TOL, what: 'G B' });
      assertClose(await tb.grad!.read(), abRef(transpose(g, n, m), a, m, q, n), { ...GEMM_TOL, what: 'G^T A' });
      ta.grad!.dispose();
      tb.grad!.dispose();
    });
  });
}

test('cosineCross matches CPU on 70 x 257 x 100', async () => {
  const rt = await testEngine();
  const n = 70, m = 257, q = 100;
  const a = randn(n * q, 21), b = randn(m * q, 22);
  const got = await rt.scopeAsync(async () => cosineCross(rt.fromData(a, [n, q]), rt.fromData(b, [m, q])).read());
  assertClose(got, abtRef(normalizeRows(a, n, q), normalizeRows(b, m, q), n, m, q), { ...COS_TOL, what: 'cos' });
});

test('zero rows are eps-guarded: no NaN, similarity 0', async () => {
  const rt = await testEngine();
  const v = new Float32Array([0, 0, 0, 3, 4, 0, 0, 0, 0]);
  const got = await rt.scopeAsync(async () => cosineGram(rt.fromData(v, [3, 3])).read());
  assert.equal(Array.from(got), [0, 0, 0, 0, 1, 0, 0, 0, 0]);
});

test('gradient of l2NormalizeRows, gramSelf, gramCross and cosineGram', async () => {
  const rt = await testEngine();
  const v = randn(5 * 7, 31), w = randn(4 * 7, 32);
  await gradCheck(rt, [{ data: v, shape: [5, 7] }], ([x]) => l2NormalizeRows(x!));
  await gradCheck(rt, [{ data: v, shape: [5, 7] }], ([x]) => gramSelf(x!));
  await gradCheck(rt, [{ data: v, shape: [5, 7] }, { data: w, shape: [4, 7] }], ([x, y]) => gramCross(x!, y!));
  await gradCheck(rt, [{ data: v, shape: [5, 7] }], ([x]) => cosineGram(x!));
  await gradCheck(rt, [{ data: v, shape: [5, 7] }, { data: w, shape: [4, 7] }], ([x, y]) => cosineCross(x!, y!));
});

function stridedRef(r: Float32Array, h: number, w: number, c: number, s: number): Float32Array {
  const out: number[] = [];
  for (let y = 0; y < h; y += s) for (let x = 0; x < w; x += s) for (let k = 0; k < c; k++) out.push(r[(y * w + x) * c + k]!);
  return Float32Array.from(out);
}

for (const [h, w, c, s] of [[70, 70, 100, 2], [1, 1, 3, 2], [5, 3, 3, 2], [7, 9, 4, 3], [3, 5, 2, 1]] as const) {
  test(`stridedRows gathers and scatters back, ${h}x${w}x${c} stride ${s}`, async () => {
    const rt = await testEngine();
    const r = randn(h * w * c, h + w + c);
    const want = stridedRef(r, h, w, c, s);
    await rt.scopeAsync(async () => {
      const tr = rt.fromData(r, [h * w, c]);
      tr.requiresGrad = true;
      const out = stridedRows(tr, h, w, s);
      assert.equal(out.shape, [Math.ceil(h / s) * Math.ceil(w / s), c]);
      if (h === 70) assert.is(out.shape[0], 1225);
      assert.equal(Array.from(await out.read()), Array.from(want));
      // Backward with gradient = the gathered values: scatter must rebuild r at kept pixels, 0 elsewhere.
      backwardWith(out, rt.fromData(want, out.shape));
      const dr = await tr.grad!.read();
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let k = 0; k < c; k++) {
            const i = (y * w + x) * c + k;
            assert.is(dr[i], y % s === 0 && x % s === 0 ? r[i] : 0);
          }
      tr.grad!.dispose();
    });
  });
}

test('gradient of stridedRows', async () => {
  const rt = await testEngine();
  await gradCheck(rt, [{ data: randn(5 * 4 * 3, 40), shape: [20, 3] }], ([x]) => stridedRows(x!, 5, 4, 2));
});

test.run();
