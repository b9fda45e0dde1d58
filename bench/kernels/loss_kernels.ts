// Benchmark of the loss kernels at MSInet's sizes (70 x 70 image, q = 100 responses):
// forward + backward of the patch loss (stride-2 gather -> 1225 x 100 -> cosine Gram ->
// thresholded loss), the cosine Gram alone, InfoNCE on two 1225 x 100 views, cross-entropy
// and continuity on 4900 x 100. With --sweep, also times the two Gram GEMMs (S = U U^T and
// dU = (G + G^T) U) for several tile configurations. Each row reports the median wall time
// and the median CPU time of this process (lavapipe's threads run inside it): on a machine
// shared with other jobs the CPU time is the steadier number.
//
//   node --import tsx bench/kernels/loss_kernels.ts [--name loss_kernels] [--reps 10] [--sweep]
// Writes bench/results/<name>.json and prints a table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import {
  backward,
  backwardWith,
  continuityLoss,
  cosineGram,
  createEngine,
  describeAdapter,
  gramGemmRaw,
  infoNCE,
  patchLoss,
  patchLossOfRows,
  softmaxCrossEntropy,
  stridedRows,
  type Runtime,
  type Tensor,
} from '../../engine/index.ts';
import { CPU_SMALL_TILE, CPU_TILE, GPU_TILE, tileKey, type GemmTile } from '../../kernels/matmul.ts';
import { arg } from '../args.ts';

const name = arg('name', 'loss_kernels');
const reps = Number(arg('reps', '10'));
const sweep = process.argv.includes('--sweep');

function randomData(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 32 - 0.5;
  }
  return data;
}

/** Clustered rows so both sets of the patch loss are populated, as in training. */
function clusteredData(n: number, q: number, seed: number): Float32Array {
  const centres = randomData(4 * q, seed);
  const noise = randomData(n * q, seed + 1);
  const v = new Float32Array(n * q);
  for (let i = 0; i < n; i++) for (let j = 0; j < q; j++) v[i * q + j] = centres[(i % 4) * q + j]! + 0.5 * noise[i * q + j]!;
  return v;
}

interface Row {
  case: string;
  /** Median wall-clock ms per run. */
  ms: number;
  /** Median process CPU ms per run (lavapipe runs in this process's threads), which other
   *  processes sharing the cores inflate far less than wall time. */
  cpuMs: number;
  note: string;
}

/** Median ms of `reps` runs of fn, each ended by a sync; one warm-up run compiles pipelines. */
async function time(rt: Runtime, fn: () => void): Promise<{ ms: number; cpuMs: number }> {
  const once = async () => {
    await rt.scopeAsync(async () => {
      fn();
      await rt.sync();
    });
  };
  await once();
  const ms: number[] = [], cpu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    await once();
    const c = process.cpuUsage(c0);
    ms.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  return { ms: median(ms), cpuMs: median(cpu) };
}

const rt = await createEngine();
const rows: Row[] = [];
console.log(`${'case'.padEnd(58)} ${'wall'.padStart(12)} ${'cpu'.padStart(16)}  (medians of ${reps}; load ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);
const H = 70, W = 70, Q = 100, P = H * W;
const r = rt.keep(rt.fromData(clusteredData(P, Q, 1), [P, Q]));
const u = rt.keep(rt.fromData(clusteredData(1225, Q, 2), [1225, Q]));
const u2 = rt.keep(rt.fromData(clusteredData(1225, Q, 3), [1225, Q]));
const targets = rt.keep(rt.fromData(Int32Array.from({ length: P }, (_, i) => i % Q), [P], 'i32'));

/** A fresh leaf copy of t that requires grad (copied on the GPU, inside the timed region). */
const leaf = (t: Tensor) => {
  const x = rt.empty(t.shape);
  rt.copy(t, x);
  x.requiresGrad = true;
  return x;
};
const dropGrad = (x: Tensor) => {
  x.grad?.dispose();
  x.grad = null;
};

const add = async (label: string, fn: () => void, note = '') => {
  const { ms, cpuMs } = await time(rt, fn);
  rows.push({ case: label, ms, cpuMs, note });
  console.log(`${label.padEnd(58)} ${ms.toFixed(2).padStart(9)} ms ${cpuMs.toFixed(1).padStart(9)} cpu-ms  ${note}`);
};

await add('patch loss fwd+bwd: gather 70x70x100 s2 -> 1225x100 (fused)', () => {
  const x = leaf(r);
  backward(patchLossOfRows(stridedRows(x, H, W, 2)));
  dropGrad(x);
});
await add('patch loss fwd+bwd, unfused: patchLoss(cosineGram(.))', () => {
  const x = leaf(r);
  backward(patchLoss(cosineGram(stridedRows(x, H, W, 2))));
  dropGrad(x);
});
await add('patch loss fwd only (1225x100)', () => void rt.tape.noGrad(() => patchLossOfRows(u)));
await add('cosine Gram fwd+bwd 1225x100 (upstream G given)', () => {
  const x = leaf(u);
  const s = cosineGram(x);
  backwardWith(s, s); // any [n, n] upstream gradient
  dropGrad(x);
});
await add('cosine Gram fwd only 1225x100', () => void rt.tape.noGrad(() => cosineGram(u)));
await add('InfoNCE fwd+bwd 1225x100, T = 0.1', () => {
  const a = leaf(u), b = leaf(u2);
  backward(infoNCE(a, b, 0.1));
  dropGrad(a);
  dropGrad(b);
});
await add('cross-entropy fwd+bwd 4900x100', () => {
  const x = leaf(r);
  backward(softmaxCrossEntropy(x, targets));
  dropGrad(x);
});
await add('continuity fwd+bwd 70x70x100', () => {
  const x = leaf(r);
  backward(continuityLoss(x, H, W));
  dropGrad(x);
});

if (sweep) {
  // Tiles of kernels/matmul.ts's generator (which the Gram runs on); CPU_TILE as gemmPlan fits it to 1225 x 100.
  const configs: GemmTile[] = [
    CPU_TILE,
    { ...CPU_TILE, bn: 112 },
    CPU_SMALL_TILE,
    { bm: 64, bn: 64, bk: 4, rm: 8, rn: 16 },
    GPU_TILE,
    { bm: 64, bn: 64, bk: 8, rm: 8, rn: 8 },
  ];
  const n = 1225;
  const g = rt.keep(rt.fromData(randomData(n * n, 9), [n, n]));
  for (const tile of configs) {
    const label = tileKey(tile);
    await add(`gemm S = U U^T (1225x1225x100, sym tiles) ${label}`, () => {
      gramGemmRaw(u, u, 'n', 't', [n, n, Q], { symOut: true, tile });
    }, `${((n * (n + 1) * Q) / 2 / 1e6).toFixed(0)} MFMA`);
    await add(`gemm dU = (G+G^T) U (1225x100x1225) ${label}`, () => {
      gramGemmRaw(g, u, 'sym', 'n', [n, Q, n], { tile });
    }, `${((n * n * Q) / 1e6).toFixed(0)} MFMA`);
  }
}

// The load average says how much other work shared the CPU cores during the run.
const report = { name, adapter: describeAdapter(rt.ctx.report), cores: cpus().length, loadavg: loadavg(), reps, date: new Date().toISOString(), rows };
const file = join(import.meta.dirname, '..', 'results', `${name}.json`);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, JSON.stringify(report, null, 2));
console.log(`wrote ${file}`);
await rt.destroy();
