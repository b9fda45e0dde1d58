// The tape: per-input gradient functions run only for inputs that require grad, and a scope
// that ends without a backward leaves nothing of its forward on the tape (unless a tensor the
// tape produced outlives it, which a later backward may still need).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { add, backward, BatchNorm, conv2d, kaimingUniformParameter, mul, Random, scale, sum, type Runtime, type Tensor } from '../../engine/index.ts';
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

/** A conv + BN-ReLU + conv network on a 5x7 image, its loss, and the gradients of its weights. */
async function convNetGrads(rt: Runtime, release: boolean) {
  const random = new Random(3);
  const w1 = rt.keep(kaimingUniformParameter(rt, [9 * 3, 8], 27, random)), w2 = rt.keep(kaimingUniformParameter(rt, [9 * 8, 4], 72, random));
  const bn = new BatchNorm(rt, 8);
  const x = rt.keep(rt.fromData(Array.from({ length: 35 * 3 }, (_, i) => Math.sin(i * 0.7)), [35, 3]));
  const out = await rt.scopeAsync(async () => {
    const h = bn.forward(conv2d(x, w1, null, { height: 5, width: 7 }), true);
    const y = conv2d(h, w2, null, { height: 5, width: 7 });
    const loss = sum(mul(y, y));
    rt.flush(); // uniform buffers are live until a submit: count tensors only
    const live = rt.pool.liveCount;
    backward(loss, { release });
    rt.flush();
    return { h, y, loss: (await loss.read())[0]!, liveAfter: rt.pool.liveCount - live, g1: Array.from(await w1.grad!.read()), g2: Array.from(await w2.grad!.read()), hGone: h.isDisposed, yGone: y.isDisposed };
  });
  for (const t of [w1, w2, x, w1.grad, w2.grad, bn.gamma.grad, bn.beta.grad] as Tensor[]) t.dispose();
  return out;
}

test('backward frees each intermediate gradient once used; release also frees the forward, never the loss or kept tensors', async () => {
  const rt = await testEngine();
  const plain = await convNetGrads(rt, false);
  const released = await convNetGrads(rt, true);
  assert.equal(released.g1, plain.g1);
  assert.equal(released.g2, plain.g2);
  assert.is(released.loss, plain.loss);
  assert.ok(!plain.hGone && !plain.yGone, 'without release the forward stays');
  assert.ok(released.hGone && released.yGone, 'with release the forward is freed');
  // Without release only the four parameter gradients (w1, w2, BN gamma and beta; kept) are new:
  // every intermediate gradient was freed. With release, 9 fewer: the outputs of conv, BN-ReLU,
  // conv and y*y, and the saved Winograd maps (V, Ut of each conv) and BN state; not the loss.
  assert.is(plain.liveAfter, 4);
  assert.is(released.liveAfter, plain.liveAfter - 9);
});

test('a buffer freed inside the open encoder goes to the next kernel-written tensor, never to a host-written one', async () => {
  const rt = await testEngine();
  await rt.scopeAsync(async () => {
    const x = rt.fromData([1, 2, 3, 4, 5], [5]);
    await x.read(); // submitted: x's data is on the GPU
    const t = scale(x, 2);
    const u = add(t, x); // reads t: [3, 6, 9, 12, 15]
    const tBuffer = t.buffer;
    t.dispose();
    // writeBuffer runs before the encoder's commands: given t's buffer it would overwrite t before scale() wrote it.
    const d = rt.fromData([100, 100, 100, 100, 100], [5]);
    assert.is.not(d.buffer, tBuffer);
    const v = scale(u, 1); // kernel-written: takes t's buffer
    assert.is(v.buffer, tBuffer);
    const w = add(v, d);
    assert.equal(Array.from(await w.read()), [103, 106, 109, 112, 115]);
    assert.equal(Array.from(await u.read()), [3, 6, 9, 12, 15]);
  });
});

test.run();
