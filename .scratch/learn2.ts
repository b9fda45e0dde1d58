import { createEngine, backward, ntXent, Adam } from '../engine/index.ts';
import { Random } from '../engine/random.ts';
import { simulateIonStack } from '../io/simulator.ts';
import { prepareImages } from '../model/coloc/prepare.ts';
import { ColocEncoder, ProjectionHead } from '../model/coloc/encoder.ts';
import { imageStats, makeViews, resizeToBase, STRONG, type AugmentConfig } from '../model/coloc/views.ts';
import { embed } from '../model/coloc/simclr.ts';
import { cosineMatrix } from '../model/coloc/similarity.ts';
import { spectralCluster } from '../model/coloc/spectral.ts';
import { adjustedRandIndex } from '../model/metrics.ts';
const rt = await createEngine();
const side = 32, B = Number(process.argv[2] ?? 16), lr = Number(process.argv[3] ?? 3e-3), std = process.argv[4] !== 'raw', steps = Number(process.argv[5] ?? 30), jitter = Number(process.argv[6] ?? 0.1), diff = Number(process.argv[7] ?? 1.2);
const cfg: AugmentConfig = { ...STRONG, jitter };
const st = simulateIonStack({ seed: 0, groups: 6, images: 72, width: 64, height: 64, difficulty: diff });
const prep = prepareImages({ images: st.images, n: 72, height: 64, width: 64 });
const res = resizeToBase(rt, prep, new Float32Array(4096).fill(1), 72, 64, 64, side);
const base = { images: res.images, mask: res.mask, side, stats: imageStats((await res.images.read()) as Float32Array, 72, side * side) };
const enc = new ColocEncoder(rt, { channels: [16, 32, 64, 128], projection: 64, side, seed: 1, standardize: std });
const head = new ProjectionHead(rt, 128, 64, 2);
const adam = new Adam([...enc.parameters(), ...head.parameters()], { lr });
const r = new Random(0);
const ari = async () => { const h = await embed(rt, enc, base, 36); return adjustedRandIndex(st.groups, spectralCluster(cosineMatrix(h, 72, 128), 72, { k: 6 }).labels).toFixed(3); };
console.log('init ARI', await ari());
const t0 = performance.now();
for (let it = 0; it < steps; it++) {
  const idx = Array.from({ length: B }, (_, i) => (i * 7 + it * B) % 72);
  const lv = await rt.scopeAsync(async () => {
    const x = makeViews(rt, base, [...idx, ...idx], cfg, r, it);
    const z = head.forward(enc.forward(x, 2 * B));
    const l = ntXent(z, Number(process.argv[8] ?? 0.5));
    backward(l); adam.step(); adam.zeroGrad();
    return rt.readScalar(l);
  });
  if (it % 10 === 9) console.log(`it ${it} loss ${lv.toFixed(4)} ARI ${await ari()} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
await rt.destroy();
