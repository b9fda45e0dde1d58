import { createEngine, backward, ntXent, Adam } from '../engine/index.ts';
import { Random } from '../engine/random.ts';
import { simulateIonStack } from '../io/simulator.ts';
import { prepareImages } from '../model/coloc/prepare.ts';
import { ColocEncoder, ProjectionHead } from '../model/coloc/encoder.ts';
import { imageStats, makeViews, resizeToBase, STRONG, type AugmentConfig } from '../model/coloc/views.ts';
const rt = await createEngine();
const side = 32, B = Number(process.argv[2] ?? 16), lr = Number(process.argv[3] ?? 3e-3), mode = process.argv[4] ?? 'none';
const NONE: AugmentConfig = { rotation: 0, cropScale: [1, 1], translate: 0, noise: 0, jitter: 0, blur: 0, missing: 0, poisson: false };
const MED: AugmentConfig = { rotation: 15, cropScale: [0.8, 0.9], translate: 3, noise: 0.1, jitter: 0.25, blur: 1, missing: 0.03, poisson: true };
const GEO: AugmentConfig = { ...NONE, rotation: 15, cropScale: [0.8, 0.9], translate: 3 };
const one: Record<string, AugmentConfig> = { gnoise: { ...GEO, noise: 0.2 }, gjitter: { ...GEO, jitter: 0.4 }, gblur: { ...GEO, blur: 1.5 }, gmiss: { ...GEO, missing: 0.1 }, gpois: { ...GEO, poisson: true }, j1: { ...STRONG, jitter: 0.1 }, j0: { ...STRONG, jitter: 0 } };
const cfg: AugmentConfig = one[mode] ?? (mode === 'med' ? MED : mode === 'nomiss' ? { ...STRONG, missing: 0 } : mode === 'none' ? NONE : mode === 'strong' ? STRONG : mode === 'geo' ? { ...NONE, rotation: 15, cropScale: [0.8, 0.9], translate: 3 } : { ...STRONG, rotation: 0, cropScale: [1, 1], translate: 0 });
const st = simulateIonStack({ seed: 0, groups: 6, images: 72, width: 64, height: 64 });
const prep = prepareImages({ images: st.images, n: 72, height: 64, width: 64 });
const res = resizeToBase(rt, prep, new Float32Array(4096).fill(1), 72, 64, 64, side);
const base = { images: res.images, mask: res.mask, side, stats: imageStats((await res.images.read()) as Float32Array, 72, side * side) };
const enc = new ColocEncoder(rt, { channels: [16, 32, 64, 128], projection: 64, side, seed: 1 });
const head = new ProjectionHead(rt, 128, 64, 2);
const adam = new Adam([...enc.parameters(), ...head.parameters()], { lr });
const r = new Random(0);
for (let it = 0; it < 30; it++) {
  const idx = Array.from({ length: B }, (_, i) => (i * 7 + it * B) % 72);
  const lv = await rt.scopeAsync(async () => {
    const x = makeViews(rt, base, [...idx, ...idx], cfg, r, it);
    const z = head.forward(enc.forward(x, 2 * B));
    const l = ntXent(z, 0.5);
    backward(l); adam.step(); adam.zeroGrad();
    return rt.readScalar(l);
  });
  if (it % 3 === 0) console.log(`it ${it} loss ${lv.toFixed(4)}`);
}
await rt.destroy();
