// What the page and its worker (web/worker.ts) send each other, for both tabs (segment,
// coloc). Typed arrays and Files are structured-cloned; a File stays a handle, the worker reads
// it in slices.
import type { ColocMethod, ColocReport } from '../model/coloc/coloc.ts';
import type { SegmentReport } from '../model/segment.ts';

export type Source =
  | { kind: 'imzml'; header: File; ibd: File }
  | { kind: 'npy'; file: File; shape: [number, number] | null }
  | { kind: 'simulated'; width: number; height: number; seed: number };

export interface RunOptions {
  seed: number;
  maxIter: number;
  minLabels: number;
  restarts: number;
  refine: number;
  superpixels: 'felzenszwalb' | 'slic';
  reduce: 'pca' | 'umap' | 'none';
  contrast: 'patch' | 'infonce';
  /** imzML binning (also used for the simulated example, which is an imzML in memory). */
  topK: number;
  binWidth: number;
  binUnit: 'da' | 'ppm';
  normalize: 'tic' | 'rms' | 'none';
  /** Square root of the binned intensities (segment tab; on by default, as `msinet segment`). */
  sqrt?: boolean;
}

/** The imzML binning options, shared by both tabs. */
export type Binning = Pick<RunOptions, 'topK' | 'binWidth' | 'binUnit' | 'normalize'>;

/**
 * Coloc input: a .npy ((n, H, W) stack, or (H, W, C) cube / (N, C) matrix of columns) with
 * optionally a 1-D .npy of each image's m/z (as --mz), an imzML pair, or the simulator's stack.
 */
export type ColocSource =
  | { kind: 'imzml'; header: File; ibd: File }
  | { kind: 'npy'; file: File; layout: 'nhw' | 'hwc'; shape: [number, number] | null; mzFile?: File | null }
  | { kind: 'simulated'; seed: number; images: number; groups: number; size: number };

export interface ColocRunOptions extends Binning {
  seed: number;
  /** Clusters, or null: chosen by the eigengap. */
  k: number | null;
  epochs: number;
  batch: number;
  method: ColocMethod;
  /** Images are resized to side x side for the network. */
  side: number;
  selfLabelEpochs: number;
}

export type ToWorker =
  | { type: 'run'; source: Source; options: RunOptions }
  | { type: 'coloc'; source: ColocSource; options: ColocRunOptions }
  | { type: 'query'; query: string }
  | { type: 'stop' }
  | { type: 'ion'; mz: number; tolerance: number }
  /** Test hook: destroys the running engine's device, as a driver reset would lose it. */
  | { type: 'lose-device' };

/** One row of a coloc query: an image and its scores against the queried one. */
export interface QueryRow {
  index: number;
  name: string;
  /** Cosine of the learned embeddings (the ranking). */
  embedding: number;
  /** Cosine of the median-filtered images (the METASPACE baseline's score). */
  baseline: number;
  pearson: number;
  cluster: number;
}

export interface ColocDone {
  type: 'coloc-done';
  clusters: Int32Array;
  confidence: Float32Array;
  mz: Float64Array | null;
  report: ColocReport;
  /** clusters.npy, clusters.csv, embeddings.npy, montage.png, report.json. */
  files: Record<string, Uint8Array | string>;
}

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
  | { type: 'iteration'; iteration: number; total: number; labels: number; loss: number; map?: Int32Array; height: number; width: number; restart: number; restarts: number }
  | { type: 'done'; labels: Int32Array; height: number; width: number; report: SegmentReport; segments: Segments; files: { labelsNpy: Uint8Array; png: Uint8Array; confidenceNpy: Uint8Array; confidencePng: Uint8Array; reportJson: string }; canIon: boolean }
  | { type: 'ion'; mz: number; tolerance: number; image: Float32Array; height: number; width: number }
  | { type: 'phase'; phase: string; done: number; total: number; info: string }
  | ColocDone
  | { type: 'query'; title: string; rows: QueryRow[] }
  | { type: 'query-error'; message: string }
  | { type: 'ion-error'; message: string }
  | { type: 'error'; message: string; kind: 'input' | 'gpu' | 'no-webgpu' | 'internal' | 'stopped' };
