// The tape: per-input gradient functions run only for inputs that require grad, and a scope
// that ends without a backward leaves nothing of its forward on the tape (unless a tensor the
// tape produced outlives it, which a later backward may still need).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { add, backward, mul, scale, sum } from '../../engine/index.ts';
import { testEngine } from '../gpu.ts';

test('a per-input gradient function runs only for an input that requires grad', async () => {
  const rt = await testEngine();
  await rt.scopeAsync(async () => {
    const w = rt.fromData([2, 3], [2]), c = rt.fromData([5, 7], [2]);
    w.requiresGrad = true;
    const calls: string[] = [];
    const y = rt.tape.record('spy', [w, c], rt.tape.noGrad(() => mul(w, c)), [
      (g) => (calls.push('w'), mul(g, c)),
      (g) => (calls.push('c'), mul(g, w)),
    ]);
    backward(sum(y));
    assert.equal(calls, ['w']);
    assert.equal(Array.from(await w.grad!.read()), [5, 7]);
    assert.is(c.grad, null);
    w.grad!.dispose();
  });
});

test('a scope that ends without a backward drops its nodes from the tape', async () => {
  const rt = await testEngine();
  const w = rt.keep(rt.fromData([1, 2, 3], [3]));
  w.requiresGrad = true;
  const before = rt.tape.nodes.length;
  const total = await rt.scopeAsync(async () => {
    const y = sum(scale(add(w, w), 2));
    return (await y.read())[0];
  });
  assert.is(total, 24);
  assert.is(rt.tape.nodes.length, before);
  w.dispose();
});

test('a scope that returns a tensor the tape produced keeps its nodes for a later backward', async () => {
  const rt = await testEngine();
  const w = rt.keep(rt.fromData([1, 2, 3], [3]));
  w.requiresGrad = true;
  await rt.scopeAsync(async () => {
    const y = rt.scope(() => scale(w, 3));
    backward(sum(y));
    assert.equal(Array.from(await w.grad!.read()), [3, 3, 3]);
  });
  assert.is(rt.tape.nodes.length, 0);
  w.grad!.dispose();
  w.dispose();
});

test.run();
