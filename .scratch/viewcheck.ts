import { createEngine } from '../engine/index.ts';
import { Random } from '../engine/random.ts';
import { simulateIonStack } from '../io/simulator.ts';
import { prepareImages } from '../model/coloc/prepare.ts';
import { imageStats, makeViews, resizeToBase, STRONG, type AugmentConfig } from '../model/coloc/views.ts';
import { pearsonMatrix } from '../model/coloc/similarity.ts';
const rt = await createEngine();
const side = 32;
const NONE: AugmentConfig = { rotation: 0, cropScale: [1, 1], translate: 0, noise: 0, jitter: 0, blur: 0, missing: 0, poisson: false };
const st = simulateIonStack({ seed: 0, groups: 6, images: 72, width: 64, height: 64 });
const prep = prepareImages({ images: st.images, n: 72, height: 64, width: 64 });
const res = resizeToBase(rt, prep, new Float32Array(4096).fill(1), 72, 64, 64, side);
const clean = (await res.images.read()) as Float32Array;
const stats = imageStats(clean, 72, side * side);
console.log('mean', Array.from(stats.mean.slice(0, 5)), 'bright', Array.from(stats.brightMean.slice(0, 5)));
const base = { images: res.images, mask: res.mask, side, stats };
for (const [name, cfg] of Object.entries({ none: NONE, noise: { ...NONE, noise: 0.2 }, jitter: { ...NONE, jitter: 0.4 }, blur: { ...NONE, blur: 1.5 }, missing: { ...NONE, missing: 0.1 }, poisson: { ...NONE, poisson: true }, strong: STRONG })) {
  const v = (await rt.scopeAsync(async () => makeViews(rt, base, [0, 1, 2, 3], cfg as AugmentConfig, new Random(1), 5).read())) as Float32Array;
  const both = new Float32Array(8 * side * side);
  both.set(clean.subarray(0, 4 * side * side)); both.set(v, 4 * side * side);
  const p = pearsonMatrix(both, 8, side * side);
  let vm = 0; for (const x of v) vm += x;
  console.log(name, 'corr view-clean', [0, 1, 2, 3].map((i) => p[i * 8 + 4 + i]!.toFixed(3)).join(' '), 'mean', (vm / v.length).toFixed(3));
}
await rt.destroy();
