import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Adam, backward, mul, parameter, SGD, sum, type Optimizer, type Runtime, type Tensor } from '../../engine/index.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, randn } from '../helpers.ts';

const SIZES = [1, 3, 70, 257];
const STEPS = 5;

/** Runs STEPS updates on GPU parameters with the given per-step gradients. */
async function runGpu(rt: Runtime, w0: Float32Array[], grads: Float32Array[][], make: (ps: Tensor[]) => Optimizer): Promise<Float32Array[]> {
  const ps = w0.map((w) => parameter(rt, w, [w.length]));
  const opt = make(ps);
  for (let s = 0; s < STEPS; s++) {
    ps.forEach((p, k) => (p.grad = rt.keep(rt.fromData(grads[s]![k]!, [p.size]))));
    opt.step();
    opt.zeroGrad();
  }
  const out = await Promise.all(ps.map(async (p) => (await p.read()) as Float32Array));
  assert.ok(ps.every((p) => p.grad === null), 'zeroGrad clears gradients');
  opt.dispose();
  ps.forEach((p) => p.dispose());
  return out;
}

/** CPU reference of torch.optim.SGD, float64. */
function cpuSgd(w: Float64Array, grads: Float32Array[], o: { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean }): Float64Array {
  const buf = new Float64Array(w.length);
  grads.forEach((g, s) => {
    for (let i = 0; i < w.length; i++) {
      let d = g[i]! + o.weightDecay * w[i]!;
      if (o.momentum !== 0) {
        buf[i] = s === 0 ? d : o.momentum * buf[i]! + (1 - o.dampening) * d;
        d = o.nesterov ? d + o.momentum * buf[i]! : buf[i]!;
      }
      w[i]! -= o.lr * d;
    }
  });
  return w;
}

/** CPU reference of torch.optim.Adam / AdamW, float64. */
function cpuAdam(w: Float64Array, grads: Float32Array[], o: { lr: number; b1: number; b2: number; eps: number; wd: number; decoupled: boolean }): Float64Array {
  const m = new Float64Array(w.length), v = new Float64Array(w.length);
  grads.forEach((g, s) => {
    const t = s + 1;
    for (let i = 0; i < w.length; i++) {
      let gi = g[i]!;
      if (o.decoupled) w[i]! *= 1 - o.lr * o.wd;
      else gi += o.wd * w[i]!;
      m[i] = o.b1 * m[i]! + (1 - o.b1) * gi;
      v[i] = o.b2 * v[i]! + (1 - o.b2) * gi * gi;
      const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - o.b2 ** t) + o.eps;
      w[i]! -= (o.lr / (1 - o.b1 ** t)) * (m[i]! / denom);
    }
  });
  return w;
}

function data(seed: number) {
  const w0 = SIZES.map((n, k) => randn(n, seed + k));
  const grads = Array.from({ length: STEPS }, (_, s) => SIZES.map((n, k) => randn(n, seed + 100 * (s + 1) + k)));
  return { w0, grads };
}

const sgdCases = [
  { lr: 0.04, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false },
  { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
  { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 1e-2, nesterov: false },
  { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 5e-3, nesterov: true },
];

for (const o of sgdCases) {
  test(`SGD ${JSON.stringify(o)} matches torch semantics for ${STEPS} steps on sizes ${SIZES}`, async () => {
    const rt = await testEngine();
    const { w0, grads } = data(1);
    const got = await runGpu(rt, w0, grads, (ps) => new SGD(ps, o));
    got.forEach((g, k) => {
      const ref = cpuSgd(Float64Array.from(w0[k]!), grads.map((s) => s[k]!), o);
      // A few f32 multiply-adds per step: 1e-6 relative to the parameters' size.
      assertClose(g, ref, { rtol: 1e-6, absTol: 2e-6, what: `param ${k}` });
    });
  });
}

const adamCases = [
  { lr: 1e-2, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0, decoupled: false },
  { lr: 3e-3, b1: 0.8, b2: 0.99, eps: 1e-6, wd: 0.1, decoupled: false },
  { lr: 1e-2, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.05, decoupled: true },
];

for (const o of adamCases) {
  test(`Adam ${JSON.stringify(o)} matches torch semantics for ${STEPS} steps`, async () => {
    const rt = await testEngine();
    const { w0, grads } = data(2);
    const got = await runGpu(rt, w0, grads, (ps) => new Adam(ps, { lr: o.lr, betas: [o.b1, o.b2], eps: o.eps, weightDecay: o.wd, decoupled: o.decoupled }));
    got.forEach((g, k) => {
      const ref = cpuAdam(Float64Array.from(w0[k]!), grads.map((s) => s[k]!), o);
      // Adam moves every weight by about lr per step; f32 error is ~1e-6 of that.
      assertClose(g, ref, { rtol: 1e-6, absTol: 2e-6, what: `param ${k}` });
    });
    // Not a no-op: Adam moves each weight by up to about lr per step.
    assert.ok(got.some((g, k) => g.some((v, i) => Math.abs(v - w0[k]![i]!) > 0.5 * o.lr)), 'parameters moved');
  });
}

test('SGD with momentum descends sum(w * w) through backward(), matching the CPU', async () => {
  const rt = await testEngine();
  const w0 = randn(257, 9);
  const w = parameter(rt, w0, [257]);
  const opt = new SGD([w], { lr: 0.04, momentum: 0.9 });
  for (let s = 0; s < STEPS; s++) {
    rt.scope(() => backward(sum(mul(w, w))));
    opt.step();
    opt.zeroGrad();
  }
  const ref = Float64Array.from(w0), buf = new Float64Array(257);
  for (let s = 0; s < STEPS; s++)
    for (let i = 0; i < 257; i++) {
      buf[i] = s === 0 ? 2 * ref[i]! : 0.9 * buf[i]! + 2 * ref[i]!;
      ref[i]! -= 0.04 * buf[i]!;
    }
  assertClose(await w.read(), ref, { rtol: 1e-6, absTol: 1e-6, what: 'w' });
  opt.dispose();
  w.dispose();
});

test('step skips parameters without a gradient; state is kept across scopes', async () => {
  const rt = await testEngine();
  const a = parameter(rt, [1, 2], [2]), b = parameter(rt, [3], [1]);
  const opt = new SGD([a, b], { lr: 0.5, momentum: 0.5 });
  rt.scope(() => {
    a.grad = rt.keep(rt.fromData([1, 1], [2]));
    opt.step();
  });
  opt.zeroGrad();
  rt.scope(() => {
    a.grad = rt.keep(rt.fromData([1, 1], [2]));
    opt.step(); // buf = 0.5 * 1 + 1 = 1.5
  });
  assert.equal(Array.from(await a.read()), [1 - 0.5 - 0.75, 2 - 0.5 - 0.75]);
  assert.equal(Array.from(await b.read()), [3]);
  assert.throws(() => new SGD([rt.keep(rt.fromData([1], [1]))], { lr: 1 }), /does not require grad/);
  opt.zeroGrad();
  opt.dispose();
  a.dispose();
  b.dispose();
});

test.run();
