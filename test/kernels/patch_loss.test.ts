import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backward, cosineGram, gemmTile, patchLoss, patchLossOfRows, type Runtime } from '../../engine/index.ts';
import { GPU_TILE, tileKey, type GemmTile } from '../../kernels/matmul.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, gradCheck, randn, rng, uniform } from '../helpers.ts';
import { normalizeRowsBackwardRef, normalizeRowsRef } from './cosine_ref.ts';

/** CPU reference in f64 given S itself: loss and dL/dS. */
function patchRef(s: ArrayLike<number>, t64: number): { loss: number; grad: Float64Array } {
  const t = Math.fround(t64); // the kernel compares against the f32 threshold
  let sp = 0, np = 0, sn = 0, nn = 0;
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (v > t) (sp += 1 - v), np++;
    if (v < t) (sn += Math.max(v, 0)), nn++;
  }
  const ip = np ? 1 / np : 0, ineg = nn ? 1 / nn : 0;
  const grad = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    grad[i] = v > t ? -ip : v < t && v > 0 ? ineg : 0;
  }
  return { loss: sp * ip + sn * ineg, grad };
}

/** Rows near k cluster centres, so both sets are populated as in a trained MSInet. */
function clustered(n: number, q: number, seed: number, k = 4, noise = 0.6): Float32Array {
  const centres = randn(k * q, seed);
  const eps = randn(n * q, seed + 1, noise);
  const r = rng(seed + 2);
  const v = new Float32Array(n * q);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(r() * k);
    for (let j = 0; j < q; j++) v[i * q + j] = centres[c * q + j]! + eps[i * q + j]!;
  }
  return v;
}

async function lossAndGradOfS(rt: Runtime, s: Float32Array, n: number, t: number) {
  return rt.scopeAsync(async () => {
    const ts = rt.fromData(s, [n, n]);
    ts.requiresGrad = true;
    const loss = patchLoss(ts, t);
    backward(loss);
    const out = { loss: (await loss.read())[0]!, grad: await ts.grad!.read() };
    ts.grad!.dispose();
    return out;
  });
}

for (const n of [1, 3, 70, 257, 1225]) {
  test(`patch loss on a random S matches CPU, n=${n}`, async () => {
    const rt = await testEngine();
    const s = uniform(n * n, n, -1, 1);
    s[0] = 0.55; // exactly at the threshold: in neither set
    const ref = patchRef(s, 0.55);
    const got = await lossAndGradOfS(rt, s, n, 0.55);
    // Sums of up to 1.5M terms in f32 (fixed tree): relative 1e-5.
    assert.ok(Math.abs(got.loss - ref.loss) <= 1e-5 * Math.abs(ref.loss) + 1e-7, `loss ${got.loss} vs ${ref.loss}`);
    // dS is exactly +-1/count or 0 in f32.
    assertClose(got.grad, ref.grad, { rtol: 1e-6, absTol: 0, what: 'dS' });
  });
}

test('empty positive or negative set contributes 0', async () => {
  const rt = await testEngine();
  const allNeg = await lossAndGradOfS(rt, new Float32Array([0.1, 0.2, 0.3, -0.4]), 2, 0.55);
  assert.ok(Math.abs(allNeg.loss - 0.15) < 1e-7, `${allNeg.loss}`); // (0.1+0.2+0.3+0)/4
  const allPos = await lossAndGradOfS(rt, new Float32Array([1, 0.9, 0.9, 1]), 2, 0.55);
  assert.ok(Math.abs(allPos.loss - 0.05) < 1e-7, `${allPos.loss}`); // (0+0.1+0.1+0)/4
  assert.equal(Array.from(allPos.grad), [-0.25, -0.25, -0.25, -0.25]);
});

// The fused form runs the tiled Gram (S = U U^T with the symmetric store, then the 'patch'
// GEMM) only with a forced tile on CPU adapters: 'plan' forces gemmPlan's own tile for S.
const SMALL: GemmTile = { bm: 16, bn: 16, bk: 4, rm: 4, rn: 4 };
const ROWS: Array<[number, number, GemmTile | 'plan']> = [
  [3, 3, 'plan'],
  [70, 100, 'plan'],
  [257, 257, 'plan'],
  [1225, 100, 'plan'],
  [37, 13, SMALL],
  [70, 100, GPU_TILE],
];
for (const [n, q, forced] of ROWS) {
  test(`cosineGram + patchLoss and the fused patchLossOfRows match CPU, n=${n} q=${q}, ${forced === 'plan' ? "gemmPlan's tile" : `tile ${tileKey(forced)}`}`, async () => {
    const rt = await testEngine();
    const tile = forced === 'plan' ? gemmTile(rt, n, n, q) : forced;
    const v = clustered(n, q, n + q);
    await rt.scopeAsync(async () => {
      const tv = rt.fromData(v, [n, q]);
      tv.requiresGrad = true;
      const S = cosineGram(tv, 1e-12, { tile });
      const loss = patchLoss(S, 0.55);
      backward(loss);
      // The reference takes the masks from the GPU's S (entries within f32 error of t could
      // flip otherwise) and back-propagates dS through U U^T and the normalisation in f64.
      const s = await S.read();
      const ref = patchRef(s, 0.55);
      const l = (await loss.read())[0]!;
      assert.ok(Math.abs(l - ref.loss) <= 1e-5 * Math.abs(ref.loss) + 1e-7, `loss ${l} vs ${ref.loss}`);
      const dv = cpuGramBackward(v, ref.grad, n, q);
      // dU sums ~n terms of +-1/count times unit vectors; 1e-4 of the largest |dv| covers f32.
      assertClose(await tv.grad!.read(), dv, { rtol: 1e-4, absTol: 1e-4, what: 'dv' });
      tv.grad!.dispose();
      tv.grad = null;
      // The fused form computes S with the same kernel (same bits, same masks).
      const fused = patchLossOfRows(tv, 0.55, { tile });
      backward(fused);
      const lf = (await fused.read())[0]!;
      assert.ok(Math.abs(lf - ref.loss) <= 1e-5 * Math.abs(ref.loss) + 1e-7, `fused loss ${lf} vs ${ref.loss}`);
      assertClose(await tv.grad!.read(), dv, { rtol: 1e-4, absTol: 1e-4, what: 'dv (fused)' });
      tv.grad!.dispose();
    });
  });
}

/** dv of cos-Gram given dS, in f64. */
function cpuGramBackward(v: Float32Array, ds: Float64Array, n: number, q: number) {
  const { u, nrm } = normalizeRowsRef(v, n, q);
  const du = new Float64Array(n * q);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const g = ds[i * n + k]! + ds[k * n + i]!;
      if (g === 0) continue;
      for (let j = 0; j < q; j++) du[i * q + j] += g * u[k * q + j]!;
    }
  return normalizeRowsBackwardRef(u, nrm, du, n, q);
}

// The lane-GEMM form (CPU adapters' default) and the row-blocked form (S larger than one
// binding) against the one-kernel fused form checked above: same masks on clustered data (cosines
// far from t), so the loss agrees to f32 rounding and the gradient to the same 1e-4 as above.
for (const [n, q, block] of [
  [70, 100, 16],
  [37, 13, 5],
  [5, 3, 1],
] as const)
  test(`patchLossOfRows: lane GEMM form and row blocks of ${block} match the fused form, n=${n} q=${q}`, async () => {
    const rt = await testEngine();
    const v = clustered(n, q, 7 * n + q);
    const run = (how: 'fused' | 'lane' | 'blocked') =>
      rt.scopeAsync(async () => {
        const tv = rt.fromData(v, [n, q]);
        tv.requiresGrad = true;
        const opts = how === 'blocked' ? { blockRows: block } : how === 'fused' ? { tile: gemmTile(rt, n, n, q) } : {};
        const loss = patchLossOfRows(tv, 0.55, opts);
        backward(loss);
        const out = { l: (await loss.read())[0]!, g: await tv.grad!.read() };
        tv.grad!.dispose();
        return out;
      });
    const fused = await run('fused');
    for (const how of ['lane', 'blocked'] as const) {
      const r = await run(how);
      assert.ok(Math.abs(r.l - fused.l) <= 1e-5 * Math.abs(fused.l) + 1e-7, `${how} loss ${r.l} vs ${fused.l}`);
      assertClose(r.g, fused.g, { rtol: 1e-4, absTol: 1e-4, what: `${how} dv` });
    }
  });

test('patch loss is deterministic on 1225 x 100', async () => {
  const rt = await testEngine();
  const v = clustered(1225, 100, 3);
  const run = () =>
    rt.scopeAsync(async () => {
      const tv = rt.fromData(v, [1225, 100]);
      tv.requiresGrad = true;
      const loss = patchLossOfRows(tv);
      backward(loss);
      const out = { l: (await loss.read())[0]!, g: await tv.grad!.read() };
      tv.grad!.dispose();
      return out;
    });
  const a = await run(), b = await run();
  assert.ok(Object.is(a.l, b.l));
  assert.equal(Array.from(a.g), Array.from(b.g));
});

test('gradient of patchLoss on S (entries away from t and 0)', async () => {
  const rt = await testEngine();
  const s = uniform(6 * 6, 17, -1, 1).map((x) => (Math.abs(x - 0.55) < 0.05 ? x + 0.1 : Math.abs(x) < 0.05 ? x + 0.1 : x));
  await gradCheck(rt, [{ data: s, shape: [6, 6] }], ([x]) => patchLoss(x!), { samples: 20 });
});

test('gradient of patchLossOfRows (all cosines away from t and 0)', async () => {
  const rt = await testEngine();
  const n = 8, q = 6;
  const v = clustered(n, q, 41, 2, 0.3);
  // Check the margins on the CPU so that eps-perturbations cannot flip a mask.
  const s = cosCpu(v, n, q);
  let margin = Infinity;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) margin = Math.min(margin, Math.abs(s[i * n + j]! - 0.55), Math.abs(s[i * n + j]!));
  assert.ok(margin > 0.01, `data too close to a kink (margin ${margin})`);
  await gradCheck(rt, [{ data: v, shape: [n, q] }], ([x]) => patchLossOfRows(x!), { eps: 1e-3, samples: 20 });
});

function cosCpu(v: Float32Array, n: number, q: number): Float64Array {
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let d = 0, a = 0, b = 0;
      for (let k = 0; k < q; k++) (d += v[i * q + k]! * v[j * q + k]!), (a += v[i * q + k]! ** 2), (b += v[j * q + k]! ** 2);
      s[i * n + j] = d / Math.sqrt(a * b);
    }
  return s;
}

test.run();
