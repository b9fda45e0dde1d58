// Benchmark of the GEMM-shaped kernels at MSInet's sizes: matmul 4900x900x100 (the im2col
// shape of a 70x70 100->100 conv), conv3x3 forward / dX / dW on 70x70x100 -> 100, and the
// linear (1x1 conv) backward dW = x^T g. Each tile configuration is compiled and warmed up
// once, then `reps` dispatches are recorded into one encoder and timed between rt.sync()s.
//
//   node --import tsx bench/kernels/conv_matmul.ts [--name conv_matmul] [--reps 5] [--sweep] [--only REGEX]
// Without --sweep it times what the ops choose by themselves (gemmPlan); --sweep adds the
// direct kernels and every tile of TILES. --only
// keeps the kernels whose name matches. Besides wall time it records the process's CPU
// time (lavapipe runs in-process), which stays meaningful when other jobs share the cores.
// Writes bench/results/<name>.json and prints a table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { conv2dBackwardInput, conv2dBackwardWeight, conv2dRaw, createEngine, describeAdapter, gemmPlan, matmulRaw, type Runtime, type Tensor } from '../../engine/index.ts';
import { directConvBackwardInput, directConvBackwardWeight, directConvForward, directMatmul } from '../../engine/ops/direct.ts';
import { CPU_SMALL_TILE, CPU_TILE, GPU_TILE, tileKey, type GemmTile } from '../../kernels/matmul.ts';

const TILES: GemmTile[] = [
  CPU_TILE, // 16x16 blocks, unfitted (N = 100 runs in a 128-wide tile)
  { bm: 128, bn: 112, bk: 4, rm: 16, rn: 16 }, // CPU_TILE fitted to N = 100, as gemmPlan does
  { bm: 64, bn: 112, bk: 4, rm: 8, rn: 16 },
  { bm: 64, bn: 100, bk: 4, rm: 8, rn: 20 },
  { bm: 64, bn: 104, bk: 4, rm: 8, rn: 8 },
  CPU_SMALL_TILE,
  GPU_TILE,
  { bm: 64, bn: 64, bk: 8, rm: 8, rn: 8 },
];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const name = arg('name', 'conv_matmul');
const reps = Number(arg('reps', '5'));
const sweep = process.argv.includes('--sweep');
const only = new RegExp(arg('only', '.'));

function randomTensor(rt: Runtime, shape: number[], seed: number): Tensor {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 32 - 0.5;
  }
  return rt.keep(rt.fromData(data, shape));
}

interface Row {
  kernel: string;
  shape: string;
  /** 'direct', a tile key, or 'default: ...' (the ops' own choice). */
  impl: string;
  /** Wall time per run. */
  ms: number;
  gflops: number;
  /** CPU time of this process per run (lavapipe's threads included): robust to other load on a shared machine. */
  cpuMs: number;
  gflopPerCpuS: number;
  /** CPU time of the first run: pipeline compile (cold unless Mesa's disk cache has it) + one run. */
  firstCpuMs: number;
}

const rt = await createEngine();
const [H, W, C] = [70, 70, 100];
const P = H * W;
const x = randomTensor(rt, [P, C], 1);
const g = randomTensor(rt, [P, C], 2);
const wConv = randomTensor(rt, [9 * C, C], 3);
const bias = randomTensor(rt, [C], 4);
const a = randomTensor(rt, [P, 9 * C], 5);
const conv = { height: H, width: W };

// A config is a tile (tiled kernels), 'direct' (kernels/direct.ts) or 'default' (what the ops
// pick by themselves: gemmPlan).
type Config = GemmTile | 'direct' | 'default';
interface Case {
  kernel: string;
  shape: string;
  flops: number;
  m: number;
  n: number;
  k: number;
  run: (tile?: GemmTile) => Tensor;
  direct: () => Tensor;
}
const cases: Case[] = [
  {
    kernel: 'matmul A B',
    shape: `${P}x${9 * C} . ${9 * C}x${C}`,
    flops: 2 * P * 9 * C * C,
    m: P, n: C, k: 9 * C,
    run: (tile) => matmulRaw(a, wConv, { tile }),
    direct: () => directMatmul(a, wConv, 'nn', P, C, 9 * C),
  },
  {
    kernel: 'conv3x3 fwd (+bias)',
    shape: `${H}x${W}x${C}->${C}`,
    flops: 2 * P * 9 * C * C,
    m: P, n: C, k: 9 * C,
    run: (tile) => conv2dRaw(x, wConv, bias, { ...conv, tile }),
    direct: () => directConvForward(x, wConv, bias, H, W),
  },
  {
    kernel: 'conv3x3 dX',
    shape: `${H}x${W}x${C}->${C}`,
    flops: 2 * P * 9 * C * C,
    m: P, n: C, k: 9 * C,
    run: (tile) => conv2dBackwardInput(g, wConv, { ...conv, tile }),
    direct: () => directConvBackwardInput(g, wConv, H, W),
  },
  {
    kernel: 'conv3x3 dW',
    shape: `${H}x${W}x${C}->${C}`,
    flops: 2 * P * 9 * C * C,
    m: 9 * C, n: C, k: P,
    run: (tile) => conv2dBackwardWeight(x, g, { ...conv, tile }),
    direct: () => directConvBackwardWeight(x, g, H, W),
  },
  {
    kernel: 'linear dW = x^T g',
    shape: `${C}x${P} . ${P}x${C}`,
    flops: 2 * P * C * C,
    m: C, n: C, k: P,
    run: (tile) => matmulRaw(x, g, { transA: true, tile }),
    direct: () => directMatmul(x, g, 'tn', C, C, P),
  },
];

function label(config: Config, c: Case): string {
  if (config === 'direct') return 'direct';
  if (config !== 'default') return tileKey(config);
  const plan = gemmPlan(rt, c.m, c.n, c.k);
  return `default: ${plan === 'direct' ? 'direct' : tileKey(plan)}`;
}

const rows: Row[] = [];
for (const config of (sweep ? ['default', 'direct', ...TILES] : ['default']) as Config[]) {
  for (const c of cases.filter((c) => only.test(c.kernel))) {
    const run = () => (config === 'direct' ? c.direct() : c.run(config === 'default' ? undefined : config));
    // First run: compile (cold unless Mesa's shader cache has it) + warm up.
    const cpuFirst = process.cpuUsage();
    rt.scope(() => void run());
    await rt.sync();
    const first = process.cpuUsage(cpuFirst);
    const t0 = performance.now(), cpu0 = process.cpuUsage();
    rt.scope(() => {
      for (let r = 0; r < reps; r++) run();
    });
    await rt.sync();
    const ms = (performance.now() - t0) / reps;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / reps;
    const row: Row = {
      kernel: c.kernel,
      shape: c.shape,
      impl: label(config, c),
      ms: +ms.toFixed(2),
      gflops: +(c.flops / ms / 1e6).toFixed(2),
      cpuMs: +cpuMs.toFixed(1),
      gflopPerCpuS: +(c.flops / cpuMs / 1e6).toFixed(2),
      firstCpuMs: Math.round((first.user + first.system) / 1000),
    };
    rows.push(row);
    console.error(
      `${row.impl.padEnd(26)} ${row.kernel.padEnd(20)} ${row.ms.toFixed(1).padStart(8)} ms ${row.gflops.toFixed(2).padStart(6)} GFLOP/s  cpu ${row.cpuMs.toFixed(0).padStart(5)} ms ${row.gflopPerCpuS.toFixed(2).padStart(6)} GFLOP/cpu-s  first run ${row.firstCpuMs} cpu-ms`,
    );
  }
}

const adapter = describeAdapter(rt.ctx.report);
const out = join(import.meta.dirname, '..', 'results', `${name}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ name, date: new Date().toISOString(), reps, adapter, rows }, null, 2) + '\n');
console.table(rows);
console.log(`wrote ${out}`);
await rt.destroy();
