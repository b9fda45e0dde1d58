// Reads what `msinet coloc` clusters, through the same readers as `segment`: an imzML (ion
// images = the selected m/z bins, m/z kept), an (H, W, C) cube or (N, C) matrix .npy (one ion
// image per column), or an (n, H, W) stack with --layout nhw (what `msinet simulate --stack`
// writes). Optionally the m/z of each image from a .npy (--mz).
import { basename } from 'node:path';
import { imagesOfColumns } from '../io/coloc-results.ts';
import { readNpyFile } from '../io/npy-node.ts';
import { npyToFloat32 } from '../io/npy.ts';
import type { PreprocessOptions } from '../io/preprocess.ts';
import type { IonImages } from '../model/coloc/prepare.ts';
import { UserError } from './errors.ts';
import { loadInput } from './segment-input.ts';

export interface LoadedStack {
  stack: IonImages;
  kind: 'npy' | 'imzml';
  mz?: Float64Array;
}

export type StackLayout = 'hwc' | 'nhw';

export async function loadStack(path: string, layout: StackLayout, shape: [number, number] | null, pre: PreprocessOptions, onProgress?: (done: number, total: number) => void): Promise<LoadedStack> {
  if (layout !== 'hwc' && layout !== 'nhw') throw new UserError(`--layout must be hwc or nhw, got "${layout}"`);
  if (layout === 'nhw') {
    if (!path.toLowerCase().endsWith('.npy')) throw new UserError(`--layout nhw needs a .npy stack, got ${path}`);
    const a = await readNpyFile(path);
    if (a.shape.length !== 3) throw new UserError(`${basename(path)}: --layout nhw expects an (n, H, W) array, got shape (${a.shape.join(', ')})`);
    const [n, height, width] = a.shape as [number, number, number];
    return { stack: { images: npyToFloat32(a), n, height, width }, kind: 'npy' };
  }
  const loaded = await loadInput(path, shape, pre, onProgress).catch((e: Error) => {
    if (e instanceof RangeError) throw new UserError(e.message);
    throw e;
  });
  const { features, height, width, channels, mask } = loaded.input;
  const pixels = height * width;
  return {
    stack: { images: imagesOfColumns(features, pixels, channels), n: channels, height, width, mask: mask ? Uint8Array.from(mask, (m) => (m ? 1 : 0)) : undefined },
    kind: loaded.kind,
    mz: loaded.mzValues,
  };
}

/** m/z of each image from a 1-D .npy. */
export async function loadMz(path: string, n: number): Promise<Float64Array> {
  const a = await readNpyFile(path);
  const v = a.dtype === 'f8' ? Float64Array.from(a.data as Float64Array) : Float64Array.from(npyToFloat32(a));
  if (v.length !== n) throw new UserError(`${basename(path)} has ${v.length} m/z values for ${n} images`);
  return v;
}
