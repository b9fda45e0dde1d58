// Writes this project's MSInet initial weights for one seed (one .npy per parameter) and trains
// from them on the benchmark image with dropout off, printing loss and label count per iteration:
// the WebGPU side of `msinet_torch.py compare` (see there).
//   node --import tsx bench/reference/dump_init.ts --seed 0 --out /tmp/msinet-init [--iters 15]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../../engine/index.ts';
import { encodeNpy, npyToFloat32, parseNpy } from '../../io/npy.ts';
import { minMaxScale } from '../../model/features.ts';
import { DEFAULT_TRAIN, trainMsinet } from '../../model/msinet/train.ts';
import { MsinetNetwork } from '../../model/msinet/network.ts';
import { felzenszwalb } from '../../model/superpixels/felzenszwalb.ts';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}
const seed = Number(arg('seed', '0'));
const iters = Number(arg('iters', '15'));
const out = arg('out');
const dataDir = new URL('../../../shared/data/msinet-simulated/', import.meta.url).pathname;
if (!existsSync(join(dataDir, 'simulated.npy'))) {
  console.log(`skipped: ${dataDir} not found`);
  process.exit(0);
}
const { scaled } = minMaxScale(npyToFloat32(parseNpy(readFileSync(join(dataDir, 'simulated.npy')))), 4900, 3);
const rt = await createEngine();
mkdirSync(out, { recursive: true });
const cfg = { inChannels: 3, channels: DEFAULT_TRAIN.channels, layers: DEFAULT_TRAIN.layers, q: DEFAULT_TRAIN.q, dropout: 0, seed };
// The network trainMsinet builds for this seed draws the same weights (same RNG stream).
const net = new MsinetNetwork(rt, cfg);
for (const [name, p] of net.namedParameters()) writeFileSync(join(out, `${name}.npy`), encodeNpy((await p.read()) as Float32Array, p.shape));
net.dispose();
const superpixels = felzenszwalb(scaled, 70, 70).labels;
await trainMsinet(rt, { x: scaled, height: 70, width: 70, channels: 3, superpixels, inputScale: 1 / 255 }, { ...DEFAULT_TRAIN, seed, maxIter: iters, minLabels: 0, dropout: 0 }, (i) =>
  console.log(`iteration ${i.iteration}: ${i.labels} labels, loss ${i.loss.toFixed(6)}`),
);
await rt.destroy();
