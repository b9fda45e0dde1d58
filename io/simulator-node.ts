// Writes simulated data to disk (Node). The generators live in io/simulator.ts.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeImzml } from './imzml/writer.ts';
import type { Compression } from './imzml/types.ts';
import { encodeNpy } from './npy.ts';
import { renderGray, renderLabels } from './png.ts';
import { hashInts } from './sim-random.ts';
import type { IonStack, SimulatedMsi } from './simulator.ts';

/** A UUID that follows from the simulation's options, so the same seed gives the same bytes. */
function uuidFor(sim: SimulatedMsi): string {
  const key = JSON.stringify(sim.options);
  let h = 0;
  for (let i = 0; i < key.length; i++) h = hashInts(h, key.charCodeAt(i));
  return [0, 1, 2, 3].map((k) => hashInts(h, k).toString(16).padStart(8, '0')).join('');
}

export interface WrittenFiles {
  files: string[];
}

/**
 * DIR/simulated.imzML + .ibd (float32 intensities, float64 m/z), DIR/truth.npy (int32 [H, W]),
 * DIR/truth.json (regions, peaks, options), DIR/truth.png.
 */
export async function writeSimulation(
  dir: string,
  sim: SimulatedMsi,
  { compression = 'none', onSpectrum }: { compression?: Compression; onSpectrum?: (done: number) => void } = {},
): Promise<WrittenFiles> {
  await mkdir(dir, { recursive: true });
  let done = 0;
  const counted = function* () {
    for (const s of sim.spectra()) {
      yield s;
      onSpectrum?.(++done);
    }
  };
  const res = await writeImzml(join(dir, 'simulated'), counted(), {
    mode: sim.mode,
    width: sim.width,
    height: sim.height,
    compression,
    uuid: uuidFor(sim),
    spectrumType: sim.mode === 'processed' ? 'centroid' : 'profile',
  });
  const truthNpy = join(dir, 'truth.npy'), truthJson = join(dir, 'truth.json'), truthPng = join(dir, 'truth.png');
  await writeFile(truthNpy, encodeNpy(sim.truth, [sim.height, sim.width]));
  await writeFile(truthJson, JSON.stringify(sim.describe(), null, 1) + '\n');
  await writeFile(truthPng, renderLabels(sim.truth, sim.height, sim.width));
  return { files: [res.imzmlPath, res.ibdPath, truthNpy, truthJson, truthPng] };
}

/** DIR/images.npy (float32 [n, H, W]), groups.npy (int32 [n]), mz.npy (float64 [n]), stack.json, patterns.png. */
export async function writeIonStack(dir: string, stack: IonStack): Promise<WrittenFiles> {
  await mkdir(dir, { recursive: true });
  const { n, height: H, width: W } = stack;
  const files = ['images.npy', 'groups.npy', 'mz.npy', 'stack.json'].map((f) => join(dir, f));
  await writeFile(files[0]!, encodeNpy(stack.images, [n, H, W]));
  await writeFile(files[1]!, encodeNpy(stack.groups, [n]));
  await writeFile(files[2]!, encodeNpy(stack.mz, [n]));
  await writeFile(files[3]!, JSON.stringify(stack.describe(), null, 1) + '\n');
  const G = stack.patterns.length / (H * W);
  for (let g = 0; g < G; g++) {
    const f = join(dir, `pattern_${g}.png`);
    await writeFile(f, renderGray(stack.patterns.subarray(g * H * W, (g + 1) * H * W), H, W, { min: 0, max: 1 }));
    files.push(f);
  }
  return { files };
}
