import { createEngine, backward, ntXent, Adam, conv3x3Batched, im2col3x3, linear, batchNorm } from '../engine/index.ts';
import { Random } from '../engine/random.ts';
import { simulateIonStack } from '../io/simulator.ts';
import { prepareImages } from '../model/coloc/prepare.ts';
import { ColocEncoder, ProjectionHead } from '../model/coloc/encoder.ts';
import { imageStats, makeViews, resizeToBase, STRONG } from '../model/coloc/views.ts';
const rt = await createEngine();
const side = Number(process.argv[2] ?? 32), B = Number(process.argv[3] ?? 36);
const st = simulateIonStack({ seed: 0, groups: 6, images: 72, width: 64, height: 64 });
const prep = prepareImages({ images: st.images, n: 72, height: 64, width: 64 });
const res = resizeToBase(rt, prep, new Float32Array(4096).fill(1), 72, 64, 64, side);
const base = { images: res.images, mask: res.mask, side, stats: imageStats((await res.images.read()) as Float32Array, 72, side * side) };
const enc = new ColocEncoder(rt, { channels: [16, 32, 64, 128], projection: 64, side, seed: 1 });
const head = new ProjectionHead(rt, 128, 64, 2);
const adam = new Adam([...enc.parameters(), ...head.parameters()], { lr: 1e-3 });
const r = new Random(0);
const idx = Array.from({ length: B }, (_, i) => i);
const t = () => performance.now();
for (let it = 0; it < 4; it++) {
  await rt.scopeAsync(async () => {
    let a = t();
    const x = makeViews(rt, base, [...idx, ...idx], STRONG, r, it);
    await rt.sync(); const tv = t() - a; a = t();
    const z = head.forward(enc.forward(x, 2 * B));
    const l = ntXent(z, 0.5);
    await rt.sync(); const tf = t() - a; a = t();
    backward(l); await rt.sync(); const tb = t() - a; a = t();
    adam.step(); adam.zeroGrad(); const lv = await rt.readScalar(l); const ts = t() - a;
    console.log(`it ${it}: views ${tv.toFixed(0)} fwd ${tf.toFixed(0)} bwd ${tb.toFixed(0)} step ${ts.toFixed(0)} ms loss ${lv.toFixed(4)} dispatches ${rt.dispatchCount}`);
  });
}
// per-layer forward timing
for (const [n, h, cin, cout] of [[2*B, side, 1, 16], [2*B, side/2, 16, 32], [2*B, side/4, 32, 64], [2*B, side/8, 64, 128]]) {
  await rt.scopeAsync(async () => {
    const x = rt.fromData(new Float32Array(n*h*h*cin).fill(0.1), [n*h*h, cin]);
    const w = rt.fromData(new Float32Array(9*cin*cout).fill(0.01), [9*cin, cout]);
    await rt.sync();
    let a = t(); const cols = im2col3x3(x, { batch: n, height: h, width: h }); await rt.sync(); const ti = t() - a;
    a = t(); linear(cols, w); await rt.sync(); const tm = t() - a;
    a = t(); const y = linear(cols, w); await rt.sync(); const tm2 = t() - a;
    console.log(`layer ${h}x${h} ${cin}->${cout}: im2col ${ti.toFixed(0)} ms, gemm ${tm.toFixed(0)} (2nd ${tm2.toFixed(0)}) ms`);
  });
}
await rt.destroy();
