// What the page and its worker (web/worker.ts) send each other. Typed arrays and Files are
// structured-cloned; a File stays a handle, the worker reads it in slices.
import type { SegmentReport } from '../model/segment.ts';

export type Source =
  | { kind: 'imzml'; header: File; ibd: File }
  | { kind: 'npy'; file: File; shape: [number, number] | null }
  | { kind: 'simulated'; width: number; height: number; seed: number };

export interface RunOptions {
  seed: number;
  maxIter: number;
  minLabels: number;
  superpixels: 'felzenszwalb' | 'slic';
  reduce: 'pca' | 'umap' | 'none';
  contrast: 'patch' | 'infonce';
  /** imzML binning (also used for the simulated example, which is an imzML in memory). */
  topK: number;
  binWidth: number;
  binUnit: 'da' | 'ppm';
  normalize: 'tic' | 'rms' | 'none';
}

export type ToWorker = { type: 'run'; source: Source; options: RunOptions } | { type: 'stop' } | { type: 'ion'; mz: number; tolerance: number };

export interface Segments {
  /** Pixels per label. */
  counts: number[];
  /** Mean feature vector per label, label-major [K * channels]. */
  means: Float32Array;
  channels: number;
  /** m/z of each feature (imzML), or null (features are columns of a .npy). */
  mz: Float64Array | null;
}

export type FromWorker =
  | { type: 'status'; text: string }
  | { type: 'reading'; done: number; total: number }
  | { type: 'iteration'; iteration: number; total: number; labels: number; loss: number; map?: Int32Array; height: number; width: number }
  | { type: 'done'; labels: Int32Array; height: number; width: number; report: SegmentReport; segments: Segments; files: { labelsNpy: Uint8Array; png: Uint8Array; reportJson: string }; canIon: boolean }
  | { type: 'ion'; mz: number; tolerance: number; image: Float32Array; height: number; width: number }
  | { type: 'error'; message: string; kind: 'input' | 'gpu' | 'no-webgpu' | 'internal' };
