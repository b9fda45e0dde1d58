import { test } from 'uvu';
import { mean, sum } from '../../engine/index.ts';
import { testEngine } from '../gpu.ts';
import { gradCheck, randn } from '../helpers.ts';

// The loss is linear in x, so central differences are exact up to f32 rounding.
for (const [shape, axis] of [[[7, 5], 0], [[7, 5], 1], [[7, 5], undefined], [[3, 4, 5], 1], [[70, 3], 0]] as Array<[number[], number | undefined]>) {
  test(`gradients of sum and mean over axis ${axis} of [${shape}]`, async () => {
    const rt = await testEngine();
    const x = randn(shape.reduce((a, b) => a * b), 17);
    await gradCheck(rt, [{ data: x, shape }], ([t]) => sum(t!, axis), { rtol: 1e-3, atol: 1e-4 });
    await gradCheck(rt, [{ data: x, shape }], ([t]) => mean(t!, axis), { rtol: 1e-3, atol: 1e-4 });
  });
}

test.run();
