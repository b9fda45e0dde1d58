// `npm run demo`: simulate an MSI image with known regions (written as imzML + truth.npy),
// segment it through the same path a user's file takes, and print the score.
import { join, resolve } from 'node:path';
import { simulateMsi } from '../io/simulator.ts';
import { writeSimulation } from '../io/simulator-node.ts';
import { runSegment } from './segment-run.ts';

export async function runDemo(seed: number, outDir = 'out/demo'): Promise<void> {
  const dir = resolve(outDir);
  const sim = simulateMsi({ seed, width: 48, height: 48, regions: 4, mode: 'processed' });
  process.stderr.write(`demo: simulating a 48x48 processed imzML with 4 regions into ${dir}\n`);
  await writeSimulation(dir, sim);
  await runSegment(join(dir, 'simulated.imzML'), {
    out: join(dir, 'segmentation'),
    truth: join(dir, 'truth.npy'),
    seed: String(seed),
    binWidth: '0.01',
    binUnit: 'da',
    topK: '100',
    select: 'variance',
    normalize: 'tic',
  });
  process.stderr.write(`demo: open ${join(dir, 'segmentation', 'segmentation.png')} next to ${join(dir, 'truth.png')}\n`);
}
