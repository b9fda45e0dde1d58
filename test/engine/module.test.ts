import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BatchNorm,
  defaultInitBound,
  Dropout2d,
  filledParameter,
  kaimingUniform,
  kaimingUniformParameter,
  Module,
  parameter,
  Random,
  type Runtime,
  type Tensor,
} from '../../engine/index.ts';
import { testEngine } from '../gpu.ts';

test('Random: a seed fixes the stream; seeds and forks differ', () => {
  const a = new Random(42), b = new Random(42), c = new Random(43);
  const xs = Array.from({ length: 50 }, () => a.uint32());
  assert.equal(Array.from({ length: 50 }, () => b.uint32()), xs);
  assert.not.equal(Array.from({ length: 50 }, () => c.uint32()), xs);
  const f1 = new Random(7).fork(), f2 = new Random(7).fork();
  assert.is(f1.next(), f2.next());
  assert.ok(xs.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32));
});

test('Random: uniform, int and normal have the right moments (n = 20000, 6 standard errors)', () => {
  const r = new Random(1);
  const n = 20000;
  const u = Array.from({ length: n }, () => r.next());
  assert.ok(u.every((x) => x >= 0 && x < 1));
  const mu = u.reduce((s, x) => s + x, 0) / n;
  assert.ok(Math.abs(mu - 0.5) < 6 * Math.sqrt(1 / 12 / n), `uniform mean ${mu}`);
  const ints = Array.from({ length: n }, () => r.int(5));
  for (let k = 0; k < 5; k++) {
    const f = ints.filter((x) => x === k).length / n;
    assert.ok(Math.abs(f - 0.2) < 6 * Math.sqrt(0.16 / n), `int ${k}: ${f}`);
  }
  const z = r.normalArray(n, 2, 3);
  const zm = z.reduce((s, x) => s + x, 0) / n;
  const zs = Math.sqrt(z.reduce((s, x) => s + (x - zm) ** 2, 0) / (n - 1));
  assert.ok(Math.abs(zm - 2) < 6 * (3 / Math.sqrt(n)), `normal mean ${zm}`);
  assert.ok(Math.abs(zs - 3) < 6 * (3 / Math.sqrt(2 * n)), `normal std ${zs}`);
});

test('kaimingUniform: PyTorch default bound 1/sqrt(fanIn), fills the range, reproducible', () => {
  const fanIn = 100 * 9; // a 3x3 conv from 100 channels
  const bound = defaultInitBound(fanIn);
  assert.ok(Math.abs(bound - 1 / 30) < 1e-12);
  const w = kaimingUniform(new Random(3), 90000, fanIn);
  let lo = Infinity, hi = -Infinity, s = 0;
  for (const v of w) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    s += v;
  }
  assert.ok(lo >= -bound && hi <= bound, `range [${lo}, ${hi}] within ${bound}`);
  assert.ok(hi > 0.999 * bound && lo < -0.999 * bound, 'fills the range');
  assert.ok(Math.abs(s / w.length) < 6 * (bound / Math.sqrt(3 * w.length)), 'mean 0');
  assert.equal(Array.from(kaimingUniform(new Random(3), 10, fanIn)), Array.from(w.slice(0, 10)));
  assert.throws(() => defaultInitBound(0), /positive/);
});

class Block extends Module {
  readonly w: Tensor;
  readonly bn: BatchNorm;
  readonly drop: Dropout2d;
  constructor(rt: Runtime, r: Random) {
    super();
    this.w = this.registerParameter('w', kaimingUniformParameter(rt, [4, 3], 4, r));
    this.bn = this.registerModule('bn', new BatchNorm(rt, 3));
    this.drop = this.registerModule('drop', new Dropout2d(0.1, 5));
  }
}

class Net extends Module {
  readonly blocks: Block[];
  readonly bias: Tensor;
  constructor(rt: Runtime, seed: number) {
    super();
    const r = new Random(seed);
    this.blocks = [0, 1].map((i) => this.registerModule(`block${i}`, new Block(rt, r)));
    this.bias = this.registerParameter('bias', filledParameter(rt, [3], 0));
  }
}

test('Module: named parameters and buffers of nested modules, train/eval reaches every child', async () => {
  const rt = await testEngine();
  const net = new Net(rt, 1);
  assert.equal(net.namedParameters().map(([n]) => n), [
    'bias',
    'block0.w', 'block0.bn.gamma', 'block0.bn.beta',
    'block1.w', 'block1.bn.gamma', 'block1.bn.beta',
  ]);
  assert.is(net.parameters().length, 7);
  assert.ok(net.parameters().every((p) => p.requiresGrad && p.persistent));
  assert.equal(net.namedBuffers().map(([n]) => n), ['block0.bn.runningMean', 'block0.bn.runningVar', 'block1.bn.runningMean', 'block1.bn.runningVar']);
  net.eval();
  assert.ok([net, ...net.blocks, ...net.blocks.flatMap((b) => [b.bn, b.drop])].every((m) => !m.training));
  net.train();
  assert.ok(net.blocks.every((b) => b.training && b.bn.training && b.drop.training));
  // Same seed, same weights; the two blocks draw different weights from the stream.
  const again = new Net(rt, 1);
  assert.equal(Array.from(await again.blocks[0]!.w.read()), Array.from(await net.blocks[0]!.w.read()));
  assert.not.equal(Array.from(await net.blocks[1]!.w.read()), Array.from(await net.blocks[0]!.w.read()));
  const w = await net.blocks[0]!.w.read();
  assert.ok(w.every((v) => Math.abs(v) <= 0.5), 'U(-1/sqrt(4), 1/sqrt(4))');
  // zeroGrad drops gradients; dispose frees everything.
  net.bias.grad = rt.keep(rt.fromData([1, 2, 3], [3]));
  net.zeroGrad();
  assert.is(net.bias.grad, null);
  net.dispose();
  again.dispose();
  assert.ok(net.parameters().every((p) => p.isDisposed) && net.namedBuffers().every(([, b]) => b.isDisposed));
});

test('Module rejects parameters that are not kept trainable tensors', async () => {
  const rt = await testEngine();
  class Bad extends Module {
    constructor(t: Tensor) {
      super();
      this.registerParameter('x', t);
    }
  }
  rt.scope(() => {
    assert.throws(() => new Bad(rt.fromData([1], [1])), /parameter\(\)/);
  });
  const ok = new Bad(parameter(rt, [1], [1]));
  ok.dispose();
});

test.run();
