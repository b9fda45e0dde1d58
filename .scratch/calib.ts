import { simulateIonStack } from '../io/simulator.ts';
import { prepareImages } from '../model/coloc/prepare.ts';
import { cosineMatrix, medianFilter3, pearsonMatrix } from '../model/coloc/similarity.ts';
import { spectralCluster } from '../model/coloc/spectral.ts';
import { averageLinkage } from '../model/coloc/hierarchical.ts';
import { adjustedRandIndex } from '../model/metrics.ts';
for (const d of process.argv.slice(2).map(Number)) {
  const out: string[] = [];
  for (const seed of [0, 1, 2, 3, 4]) {
    const st = simulateIonStack({ seed, groups: 6, images: 72, width: 64, height: 64, difficulty: d });
    const prep = prepareImages({ images: st.images, n: 72, height: 64, width: 64 });
    const fc = cosineMatrix(medianFilter3(prep, 72, 64, 64), 72, 4096);
    const pc = pearsonMatrix(prep, 72, 4096);
    const a = adjustedRandIndex(st.groups, spectralCluster(fc, 72, { k: 6 }).labels);
    const b = adjustedRandIndex(st.groups, averageLinkage(Float64Array.from(pc, (v) => 1 - v), 72, 6));
    out.push(`${a.toFixed(2)}/${b.toFixed(2)}`);
  }
  console.log(`difficulty ${d}: cosine/pearson ARI ${out.join(' ')}`);
}
