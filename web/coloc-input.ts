// Turns what the user gave the coloc tab into coloc()'s ion image stack, in the worker, the
// same way `msinet coloc` does (cli/coloc-input.ts): an (n, H, W) stack .npy (--layout nhw),
// an (H, W, C) cube or (N, C) matrix .npy whose columns are the images (--layout hwc), an
// imzML pair (its selected m/z bins, read in slices through web/load-input.ts), with an
// optional 1-D .npy of the images' m/z (--mz), or the
// simulator's stack (what `msinet simulate --stack` writes), which also knows the true groups.
// Also the page's options -> coloc()'s, in one place for the worker and the Node comparison.
import { imagesOfColumns } from '../io/coloc-results.ts';
import { parseNpy, npyToFloat32 } from '../io/npy.ts';
import { simulateIonStack } from '../io/simulator.ts';
import type { ColocOptions } from '../model/coloc/coloc.ts';
import type { IonImages } from '../model/coloc/prepare.ts';
import { InputError } from '../model/features.ts';
import { loadInput } from './load-input.ts';
import type { ColocRunOptions, ColocSource } from './messages.ts';

export interface LoadedStack {
  stack: IonImages;
  /** m/z of each image (imzML, simulated), or null (images of a .npy are numbered). */
  mz: Float64Array | null;
  /** The simulator's group of each image, for the report's scores. */
  truth: Int32Array | null;
}

export async function loadStack(source: ColocSource, o: ColocRunOptions, onRead: (done: number, total: number) => void): Promise<LoadedStack> {
  const loaded = await loadImages(source, o, onRead);
  if (source.kind === 'npy' && source.mzFile) loaded.mz = await loadMz(source.mzFile, loaded.stack.n);
  return loaded;
}

/** m/z of each image from a 1-D .npy (what `msinet simulate --stack` writes as mz.npy). */
async function loadMz(file: File, n: number): Promise<Float64Array> {
  const a = parseNpy(new Uint8Array(await file.arrayBuffer()), file.name);
  if (a.shape.length !== 1) throw new InputError(`${file.name}: m/z values must be a 1-D array, got shape (${a.shape.join(', ')})`);
  const v = a.dtype === 'f8' ? Float64Array.from(a.data as Float64Array) : Float64Array.from(npyToFloat32(a));
  if (v.length !== n) throw new InputError(`${file.name} has ${v.length} m/z values for ${n} images`);
  return v;
}

async function loadImages(source: ColocSource, o: ColocRunOptions, onRead: (done: number, total: number) => void): Promise<LoadedStack> {
  if (source.kind === 'simulated') {
    const s = simulateIonStack({ seed: source.seed, width: source.size, height: source.size, groups: source.groups, images: source.images, counts: 200 });
    return { stack: { images: s.images, n: s.n, height: s.height, width: s.width }, mz: s.mz, truth: s.groups };
  }
  if (source.kind === 'npy' && source.layout === 'nhw') {
    const a = parseNpy(new Uint8Array(await source.file.arrayBuffer()), source.file.name);
    if (a.shape.length !== 3) throw new InputError(`${source.file.name}: an (n, H, W) stack must be 3-D, got shape (${a.shape.join(', ')})`);
    const [n, height, width] = a.shape as [number, number, number];
    return { stack: { images: npyToFloat32(a), n, height, width }, mz: null, truth: null };
  }
  // A cube or matrix .npy, or an imzML: the segment tab's loader gives the pixel x feature grid
  // (imzML: the top-k bins by mean intensity, as `msinet coloc` keeps them).
  const segmentSource = source.kind === 'npy' ? { kind: 'npy' as const, file: source.file, shape: source.shape } : source;
  const loaded = await loadInput(segmentSource, { ...o, select: 'mean' }, onRead);
  await loaded.file?.close(); // the bins are read; this tab has no ion-image viewer
  const { features, height, width, channels, mask } = loaded.input;
  const stack: IonImages = { images: imagesOfColumns(features, height * width, channels), n: channels, height, width };
  if (mask) stack.mask = Uint8Array.from(mask, (m) => (m ? 1 : 0));
  return { stack, mz: loaded.mz, truth: null };
}

/** The page's options as coloc()'s (the rest keep coloc()'s defaults, as in `msinet coloc`). */
export function colocOptions(o: ColocRunOptions): ColocOptions {
  return {
    seed: o.seed,
    k: o.k ?? undefined,
    epochs: o.epochs,
    batch: o.batch,
    method: o.method,
    side: o.side,
    selfLabelEpochs: o.selfLabelEpochs,
  };
}
