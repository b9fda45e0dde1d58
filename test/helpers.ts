// Shared test utilities: a seeded RNG, tolerance checks stated relative to magnitude, and a
// finite-difference gradient check that works for any op recorded on the tape.
import * as assert from 'uvu/assert';
import { backwardWith, type Runtime, type Tensor } from '../engine/index.ts';

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randn(n: number, seed: number, std = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(r(), 1e-12), v = r();
    out[i] = std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}

export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/**
 * Asserts |a - e| <= atol + rtol * |e| elementwise, where atol is `absTol` times the largest
 * |e| (so tolerances are relative to the data's magnitude). Reports the worst element.
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { rtol = 1e-5, absTol = 1e-5, what = 'values' }: { rtol?: number; absTol?: number; what?: string } = {},
): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  let mag = 0;
  for (let i = 0; i < expected.length; i++) mag = Math.max(mag, Math.abs(expected[i]!));
  const atol = absTol * Math.max(mag, 1e-30);
  let worst = -1, worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(a))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0)
    assert.unreachable(
      `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol.toExponential(2)} = ${absTol} x max|expected| ${mag.toExponential(2)})`,
    );
}

export interface GradInput {
  data: Float32Array;
  shape: number[];
  /** Check this input's gradient (default true). */
  check?: boolean;
}

/**
 * Finite-difference check of the tape's backward for `fn`. The scalar is L = sum(w * fn(x))
 * with a fixed random w; analytic dL/dx comes from backwardWith(out, w), numeric from
 * central differences at `samples` random coordinates of every checked input.
 * Tolerance: |num - ana| <= rtol * max(|num|, |ana|) + atol * max|ana| over the input.
 */
export async function gradCheck(
  rt: Runtime,
  inputs: GradInput[],
  fn: (xs: Tensor[]) => Tensor,
  { eps = 1e-2, rtol = 2e-2, atol = 2e-3, samples = 10, seed = 7 } = {},
): Promise<void> {
  const r = rng(seed);
  const make = (datas: Float32Array[], grad: boolean) =>
    datas.map((d, k) => {
      const t = rt.fromData(d, inputs[k]!.shape);
      t.requiresGrad = grad && inputs[k]!.check !== false;
      return t;
    });
  // Analytic.
  let w: Float32Array | null = null;
  const analytic = await rt.scopeAsync(async () => {
    const xs = make(inputs.map((i) => i.data), true);
    const out = fn(xs);
    w = randn(out.size, seed + 1);
    backwardWith(out, rt.fromData(w, out.shape));
    const grads: (Float32Array | null)[] = [];
    for (const x of xs) {
      if (!x.requiresGrad) {
        grads.push(null);
        continue;
      }
      assert.ok(x.grad, `input ${x} received no gradient`);
      grads.push((await x.grad!.read()) as Float32Array);
      x.grad!.dispose();
      x.grad = null;
    }
    return grads;
  });
  const lossAt = async (datas: Float32Array[]) =>
    rt.scopeAsync(async () => {
      const out = rt.tape.noGrad(() => fn(make(datas, false)));
      const o = await out.read();
      let s = 0;
      for (let i = 0; i < o.length; i++) s += w![i]! * o[i]!;
      return s;
    });
  for (let k = 0; k < inputs.length; k++) {
    const ana = analytic[k];
    if (!ana) continue;
    let mag = 0;
    for (const v of ana) mag = Math.max(mag, Math.abs(v));
    const n = inputs[k]!.data.length;
    const coords = new Set<number>();
    while (coords.size < Math.min(samples, n)) coords.add(Math.floor(r() * n));
    for (const j of coords) {
      const plus = inputs.map((i) => i.data.slice());
      const minus = inputs.map((i) => i.data.slice());
      plus[k]![j] = plus[k]![j]! + eps;
      minus[k]![j] = minus[k]![j]! - eps;
      const num = ((await lossAt(plus)) - (await lossAt(minus))) / (2 * eps);
      const a = ana[j]!;
      const tol = rtol * Math.max(Math.abs(num), Math.abs(a)) + atol * Math.max(mag, 1e-6);
      assert.ok(Math.abs(num - a) <= tol, `input ${k} element ${j}: analytic ${a}, numeric ${num} (tol ${tol.toExponential(2)})`);
    }
  }
}
