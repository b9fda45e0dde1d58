import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backward, contrastiveRowLoss, infoNCE, ntXent } from '../../engine/index.ts';
import { testEngine } from '../gpu.ts';
import { gradCheck, randn } from '../helpers.ts';
import { normalizeRowsBackwardRef, normalizeRowsRef } from './cosine_ref.ts';

// ---- CPU references in f64 ----
/** Contrastive rows: loss and dL/dS for S [rows, cols], pos(i) = (i + shift) % cols. */
function rowsRef(s: Float64Array, rows: number, cols: number, T: number, shift: number, skipDiag: boolean) {
  const ds = new Float64Array(rows * cols);
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    const pos = (i + shift) % cols;
    let m = -Infinity;
    for (let j = 0; j < cols; j++) if (!skipDiag || j !== i) m = Math.max(m, s[i * cols + j]! / T);
    let z = 0;
    for (let j = 0; j < cols; j++) if (!skipDiag || j !== i) z += Math.exp(s[i * cols + j]! / T - m);
    const lse = m + Math.log(z);
    loss += lse - s[i * cols + pos]! / T;
    for (let j = 0; j < cols; j++) {
      if (skipDiag && j === i) continue;
      ds[i * cols + j] = (Math.exp(s[i * cols + j]! / T - lse) - (j === pos ? 1 : 0)) / (rows * T);
    }
  }
  return { loss: loss / rows, ds };
}

function infoNceRef(a: Float32Array, b: Float32Array, n: number, q: number, T: number) {
  const A = normalizeRowsRef(a, n, q), B = normalizeRowsRef(b, n, q);
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let d = 0;
      for (let k = 0; k < q; k++) d += A.u[i * q + k]! * B.u[j * q + k]!;
      s[i * n + j] = d;
    }
  const { loss, ds } = rowsRef(s, n, n, T, 0, false);
  const dua = new Float64Array(n * q), dub = new Float64Array(n * q);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const g = ds[i * n + j]!;
      for (let k = 0; k < q; k++) {
        dua[i * q + k] += g * B.u[j * q + k]!;
        dub[j * q + k] += g * A.u[i * q + k]!;
      }
    }
  return { loss, da: normalizeRowsBackwardRef(A.u, A.nrm, dua, n, q), db: normalizeRowsBackwardRef(B.u, B.nrm, dub, n, q) };
}

function ntXentRef(z: Float32Array, rows: number, d: number, T: number) {
  const Z = normalizeRowsRef(z, rows, d);
  const s = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < rows; j++) {
      let x = 0;
      for (let k = 0; k < d; k++) x += Z.u[i * d + k]! * Z.u[j * d + k]!;
      s[i * rows + j] = x;
    }
  const { loss, ds } = rowsRef(s, rows, rows, T, rows / 2, true);
  const du = new Float64Array(rows * d);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < rows; j++) {
      const g = ds[i * rows + j]! + ds[j * rows + i]!;
      for (let k = 0; k < d; k++) du[i * d + k] += g * Z.u[j * d + k]!;
    }
  return { loss, dz: normalizeRowsBackwardRef(Z.u, Z.nrm, du, rows, d) };
}

/** Second view = first view plus noise, so positives are clearly more similar. */
function views(n: number, q: number, seed: number): [Float32Array, Float32Array] {
  const a = randn(n * q, seed), noise = randn(n * q, seed + 1, 0.5);
  return [a, a.map((x, i) => x + noise[i]!)];
}

// log-sum-exp of n terms in f32 then a mean over rows: relative ~1e-6 per row.
const LOSS_RTOL = 2e-5;

/**
 * Gradients: each dS_ij = (p_ij - [j = pos]) / (rows T) carries an f32 error of ~1e-7 of
 * its scale 1 / (rows T) (p near 1 cancels against the one-hot, so relative error is no
 * guide); dv divides by |v|. Tolerance: 1e-3 relative plus 1e-6 / (rows T min|v|) absolute.
 */
function assertGrad(got: ArrayLike<number>, want: Float64Array, v: Float32Array, rows: number, T: number, what: string) {
  const q = v.length / rows;
  let vmin = Infinity;
  for (let i = 0; i < rows; i++) vmin = Math.min(vmin, Math.hypot(...v.subarray(i * q, i * q + q)));
  const atol = 1e-6 / (rows * T * vmin);
  for (let i = 0; i < want.length; i++)
    assert.ok(Math.abs(got[i]! - want[i]!) <= atol + 1e-3 * Math.abs(want[i]!), `${what}[${i}] ${got[i]} vs ${want[i]} (atol ${atol})`);
}

for (const [n, q, T] of [[1, 3, 0.5], [3, 100, 0.1], [70, 257, 0.07], [257, 3, 1], [1225, 100, 0.1]] as const) {
  test(`infoNCE forward and backward match CPU, n=${n} q=${q} T=${T}`, async () => {
    const rt = await testEngine();
    const [a, b] = views(n, q, n + q);
    const ref = infoNceRef(a, b, n, q, T);
    await rt.scopeAsync(async () => {
      const ta = rt.fromData(a, [n, q]), tb = rt.fromData(b, [n, q]);
      ta.requiresGrad = tb.requiresGrad = true;
      const loss = infoNCE(ta, tb, T);
      backward(loss);
      const l = (await loss.read())[0]!;
      assert.ok(Math.abs(l - ref.loss) <= LOSS_RTOL * Math.abs(ref.loss) + 1e-6, `loss ${l} vs ${ref.loss}`);
      assertGrad(await ta.grad!.read(), ref.da, a, n, T, 'da');
      assertGrad(await tb.grad!.read(), ref.db, b, n, T, 'db');
      ta.grad!.dispose();
      tb.grad!.dispose();
    });
  });
}

for (const [B, d, T] of [[1, 3, 0.5], [3, 100, 0.5], [35, 257, 0.5], [128, 100, 0.2]] as const) {
  test(`ntXent forward and backward match CPU, 2B=${2 * B} d=${d} T=${T}`, async () => {
    const rt = await testEngine();
    const [v1, v2] = views(B, d, B * 10 + d);
    const z = new Float32Array(2 * B * d);
    z.set(v1, 0);
    z.set(v2, B * d);
    const ref = ntXentRef(z, 2 * B, d, T);
    await rt.scopeAsync(async () => {
      const tz = rt.fromData(z, [2 * B, d]);
      tz.requiresGrad = true;
      const loss = ntXent(tz, T);
      backward(loss);
      const l = (await loss.read())[0]!;
      assert.ok(Math.abs(l - ref.loss) <= LOSS_RTOL * Math.abs(ref.loss) + 1e-6, `loss ${l} vs ${ref.loss}`);
      assertGrad(await tz.grad!.read(), ref.dz, z, 2 * B, T, 'dz');
      tz.grad!.dispose();
    });
  });
}

test('ntXent with B = 1 is 0 (the only negative left out is the row itself)', async () => {
  const rt = await testEngine();
  // 2 rows: each row's sum has exactly one term, its positive: loss = log 1 = 0.
  const l = await rt.scopeAsync(async () => (await ntXent(rt.fromData([1, 2, 3, -1, 0.5, 2], [2, 3]), 0.5).read())[0]!);
  assert.ok(Math.abs(l) < 1e-6, `${l}`);
});

test('contrastive rows stay finite at a tiny temperature', async () => {
  const rt = await testEngine();
  const s = Float64Array.from(randn(9, 3)).map((x) => Math.tanh(x));
  const ref = rowsRef(s, 3, 3, 1e-3, 0, false);
  const l = await rt.scopeAsync(async () => (await contrastiveRowLoss(rt.fromData(Float32Array.from(s), [3, 3]), 1e-3).read())[0]!);
  assert.ok(Number.isFinite(l) && Math.abs(l - ref.loss) <= 1e-4 * Math.abs(ref.loss) + 1e-3, `${l} vs ${ref.loss}`);
});

test('gradient of contrastiveRowLoss, infoNCE and ntXent', async () => {
  const rt = await testEngine();
  const s = randn(4 * 5, 50);
  await gradCheck(rt, [{ data: s, shape: [4, 5] }], ([x]) => contrastiveRowLoss(x!, 0.7, 2), { samples: 20 });
  await gradCheck(rt, [{ data: randn(6 * 6, 51), shape: [6, 6] }], ([x]) => contrastiveRowLoss(x!, 0.5, 3, true), { samples: 20 });
  const [a, b] = views(5, 4, 52);
  await gradCheck(rt, [{ data: a, shape: [5, 4] }, { data: b, shape: [5, 4] }], ([x, y]) => infoNCE(x!, y!, 0.5));
  await gradCheck(rt, [{ data: randn(6 * 4, 53), shape: [6, 4] }], ([x]) => ntXent(x!, 0.5), { samples: 20 });
});

test('infoNCE and ntXent are deterministic (bit-identical loss and gradients)', async () => {
  const rt = await testEngine();
  const [a, b] = views(257, 100, 60);
  const run = () =>
    rt.scopeAsync(async () => {
      const ta = rt.fromData(a, [257, 100]), tb = rt.fromData(b, [257, 100]);
      ta.requiresGrad = tb.requiresGrad = true;
      const l1 = infoNCE(ta, tb, 0.1);
      backward(l1);
      const z = rt.fromData(a.subarray(0, 256 * 100), [256, 100]);
      z.requiresGrad = true;
      const l2 = ntXent(z, 0.5);
      backward(l2);
      const out = [await l1.read(), await l2.read(), await ta.grad!.read(), await tb.grad!.read(), await z.grad!.read()].map((x) => Array.from(x));
      for (const t of [ta, tb, z]) t.grad!.dispose();
      return out;
    });
  assert.equal(await run(), await run());
});

test.run();
