// The conv + backward case the browser smoke run and its Node counterpart both compute
// (test/browser/browser.test.ts compares the two), kept in one place so they cannot drift.
import { backward, conv2d, relu, sum, type Runtime } from '../engine/index.ts';

export async function smokeConv(rt: Runtime): Promise<{ conv: number[]; gradW: number[] }> {
  return rt.scopeAsync(async () => {
    const H = 4, W = 5, CIN = 2, COUT = 3;
    const x = rt.fromData(Array.from({ length: H * W * CIN }, (_, i) => Math.sin(i)), [H * W, CIN]);
    const w = rt.fromData(Array.from({ length: 9 * CIN * COUT }, (_, i) => Math.cos(i) * 0.5), [9 * CIN, COUT]);
    w.requiresGrad = true;
    const y = conv2d(x, w, null, { height: H, width: W });
    backward(sum(relu(y)));
    const out = { conv: Array.from(await y.read()), gradW: Array.from(await w.grad!.read()) };
    w.grad!.dispose();
    return out;
  });
}
