// JavaScript milliseconds per MSInet iteration spent before the GPU is waited on: building
// kernel specs, recording dispatches, autograd. Measured as the time from the end of one
// iteration (its progress callback) to the next iteration's first readback, on the shared
// 70 x 70 benchmark (or a simulated 70 x 70 image when the shared data is absent).
//
//   node --import tsx bench/record_ms.ts [ITERATIONS]
import { existsSync, readFileSync } from 'node:fs';
import { createEngine, Runtime } from '../engine/index.ts';
import { npyToFloat32, parseNpy } from '../io/npy.ts';
import { simulateMsi } from '../io/simulator.ts';
import { segment } from '../model/segment.ts';

const iterations = Number(process.argv[2] ?? 12);
const shared = new URL('../../shared/data/msinet-simulated/simulated.npy', import.meta.url).pathname;
let input: { features: Float32Array; height: number; width: number; channels: number };
if (existsSync(shared)) input = { features: npyToFloat32(parseNpy(readFileSync(shared), 'simulated.npy')), height: 70, width: 70, channels: 3 };
else {
  const sim = simulateMsi({ seed: 0, width: 70, height: 70, points: 3 });
  const features = new Float32Array(70 * 70 * 3);
  for (let y = 0; y < 70; y++) for (let x = 0; x < 70; x++) features.set(sim.spectrum(x, y).intensity, (y * 70 + x) * 3);
  input = { features, height: 70, width: 70, channels: 3 };
}

const rt = await createEngine();
// The first read() after an iteration ends closes that iteration's recording window.
let windowStart: number | null = null;
let cpuStart = 0;
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const recordMs: number[] = [];
// CPU time of the window as well: the GPU is idle then, so it is this thread's, and on a
// machine shared with other jobs it is steadier than the wall time.
const recordCpuMs: number[] = [];
const dispatches: number[] = [];
let dispatchesAtStart = 0;
const read = Runtime.prototype.read;
Runtime.prototype.read = function (this: Runtime, t: Parameters<typeof read>[0]) {
  if (windowStart !== null) {
    recordMs.push(performance.now() - windowStart);
    recordCpuMs.push(cpuNow() - cpuStart);
    dispatches.push(this.dispatchCount - dispatchesAtStart);
    windowStart = null;
  }
  return read.call(this, t);
} as typeof read;

await segment(rt, input, {
  seed: 0,
  maxIter: iterations,
  minLabels: 1,
  onProgress: (phase) => {
    if (phase !== 'train') return;
    windowStart = performance.now();
    cpuStart = cpuNow();
    dispatchesAtStart = rt.dispatchCount;
  },
});
// The last window (after the final iteration) belongs to the final-labels pass, not an iteration.
const median = (xs: number[]) => {
  const steady = [...xs.slice(0, Math.max(1, iterations - 1))].sort((a, b) => a - b);
  return steady[Math.floor(steady.length / 2)]!.toFixed(2);
};
console.log(
  `JS before the first readback, per iteration (median of ${Math.min(recordMs.length, iterations - 1)} after the first): ` +
    `${median(recordMs)} ms wall, ${median(recordCpuMs)} ms CPU; ${dispatches[0]} dispatches per iteration`,
);
await rt.destroy();
