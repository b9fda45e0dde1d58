import { Random } from '../engine/random.ts';
import { knnAffinity, spectralEmbedding, spectralCluster } from '../model/coloc/spectral.ts';
const pts: number[][] = [], truth: number[] = [];
const r = new Random(3);
for (const [ring, radius, count] of [[0, 1, 20], [1, 4, 30], [2, 7, 40]] as const)
  for (let i = 0; i < count; i++) { const th = (2 * Math.PI * i) / count + r.uniform(-0.05, 0.05); pts.push([radius * Math.cos(th), radius * Math.sin(th)]); truth.push(ring); }
const n = pts.length; const sim = new Float64Array(n * n);
for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sim[i * n + j] = Math.exp(-((pts[i]![0]! - pts[j]![0]!) ** 2 + (pts[i]![1]! - pts[j]![1]!) ** 2) / 1);
const a = knnAffinity(sim, n, 5);
let cross = 0; for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (a[i*n+j]! > 0 && truth[i] !== truth[j]) cross++;
console.log('cross edges', cross);
const e = spectralEmbedding(a, n); console.log(Array.from(e.laplacian.slice(0, 6)));
console.log(Array.from(spectralCluster(sim, n, { k: 3, neighbors: 5 }).labels).join(''));
