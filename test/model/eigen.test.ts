import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { symmetricEigen } from '../../model/reduce/eigen.ts';
import { randn } from '../helpers.ts';

test('Jacobi eigen: 2x2 by hand', () => {
  // [[2,1],[1,2]] has eigenvalues 3 (vector (1,1)/sqrt2) and 1 (vector (1,-1)/sqrt2).
  const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2);
  assert.ok(Math.abs(values[0]! - 3) < 1e-12 && Math.abs(values[1]! - 1) < 1e-12);
  assert.ok(Math.abs(vectors[0]! - Math.SQRT1_2) < 1e-12 && Math.abs(vectors[1]! - Math.SQRT1_2) < 1e-12);
});

test('Jacobi eigen: A v = lambda v and orthonormal vectors on a random 37x37 matrix', () => {
  const n = 37;
  const b = randn(n * n, 11);
  const a = new Float64Array(n * n); // A = B B^T, symmetric positive semi-definite
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += b[i * n + k]! * b[j * n + k]!;
    a[i * n + j] = s;
  }
  const { values, vectors } = symmetricEigen(a, n);
  for (let k = 1; k < n; k++) assert.ok(values[k - 1]! >= values[k]!, 'descending');
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let j = 0; j < n; j++) av += a[i * n + j]! * vectors[k * n + j]!;
      assert.ok(Math.abs(av - values[k]! * vectors[k * n + i]!) < 1e-8 * values[0]!, `A v${k} = l v${k}`);
    }
    for (let m = 0; m <= k; m++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += vectors[k * n + i]! * vectors[m * n + i]!;
      assert.ok(Math.abs(d - (m === k ? 1 : 0)) < 1e-10, 'orthonormal');
    }
  }
});

test.run();
