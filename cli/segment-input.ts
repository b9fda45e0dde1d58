// Reads what `msinet segment` segments: a .npy matrix or cube, or an imzML file (preprocessed
// to a pixel x feature matrix on the way), plus an optional ground truth.
import { readFile } from 'node:fs/promises';
import { readNpyFile } from '../io/npy-node.ts';
import { npyFeatureMatrix } from '../io/npy-features.ts';
import { npyToInt32 } from '../io/npy.ts';
import { openImzml } from '../io/imzml/node.ts';
import type { ReaderOptions } from '../io/imzml/reader.ts';
import { preprocessImzml, type PreprocessOptions } from '../io/preprocess.ts';
import { featureGrid } from '../io/feature-grid.ts';
import type { SegmentInput } from '../model/segment.ts';
import { UserError } from './errors.ts';

export interface LoadedInput {
  input: SegmentInput;
  kind: 'npy' | 'imzml';
  /** imzML only: m/z of each feature column. */
  mzValues?: Float64Array;
  /** A warning for the user (negative intensities are kept, but are unusual), or null. */
  warning: string | null;
}

function negativeWarning(path: string, count: number, where: string): string | null {
  return count === 0 ? null : `${path}: ${count} negative intensit${count === 1 ? 'y' : 'ies'} (first: ${where}); kept as they are`;
}

export function parseShape(s: string | undefined): [number, number] | null {
  if (s === undefined) return null;
  const m = /^\s*(\d+)\s*[,x]\s*(\d+)\s*$/i.exec(s);
  if (!m) throw new UserError(`--shape must be H,W (two positive integers), got "${s}"`);
  const h = Number(m[1]), w = Number(m[2]);
  if (h < 1 || w < 1) throw new UserError(`--shape must be positive, got ${h},${w}`);
  return [h, w];
}

export async function loadInput(
  path: string,
  shape: [number, number] | null,
  pre: PreprocessOptions,
  onProgress?: (done: number, total: number) => void,
  reader: ReaderOptions = {},
): Promise<LoadedInput> {
  const lower = path.toLowerCase();
  if (lower.endsWith('.imzml')) {
    const file = await openImzml(path, reader);
    try {
      const fm = await preprocessImzml(file, { ...pre, onProgress: onProgress ? (d, t) => onProgress(d, t) : undefined });
      // The network sees the whole grid: one dense float32 matrix, masked pixels included.
      const gib = (fm.width * fm.height * fm.nFeatures * 4) / 2 ** 30;
      if (gib > 4) throw new UserError(`${path}: the ${fm.width} x ${fm.height} grid with ${fm.nFeatures} features needs ${gib.toFixed(1)} GiB as one matrix (limit 4 GiB); lower --top-k`);
      return {
        input: featureGrid(fm),
        kind: 'imzml',
        mzValues: fm.mzValues,
        warning: fm.negatives.first
          ? negativeWarning(path, fm.negatives.count, `spectrum ${fm.negatives.first.spectrum}, m/z ${fm.negatives.first.mz}: ${fm.negatives.first.value}`)
          : null,
      };
    } finally {
      await file.close();
    }
  }
  if (!lower.endsWith('.npy')) throw new UserError(`${path}: unknown input type (expected .npy or .imzML)`);
  // Messages name the file as the user gave it (not its base name, not an absolute path).
  const m = npyFeatureMatrix(await readNpyFile(path), path);
  let height = m.height, width = m.width;
  if (height === undefined || width === undefined) {
    if (!shape) throw new UserError(`${path} is a (${m.n}, ${m.c}) matrix: give the image size with --shape H,W`);
    [height, width] = shape;
  } else if (shape && (shape[0] !== height || shape[1] !== width)) {
    throw new UserError(`--shape ${shape.join(',')} does not match ${path}, an image of ${height}x${width}`);
  }
  if (height * width !== m.n)
    throw new UserError(`--shape ${height},${width} makes ${height * width} pixels but ${path} has ${m.n} rows`);
  let negatives = 0, first = -1;
  for (let i = 0; i < m.x.length; i++) if (m.x[i]! < 0 && negatives++ === 0) first = i;
  const where = `row ${Math.floor(first / m.c)}, column ${first % m.c}: ${m.x[first]}`;
  return { input: { features: m.x, height, width, channels: m.c }, kind: 'npy', warning: negativeWarning(path, negatives, where) };
}

/** Truth as .npy (integers) or text with one label per line (quotes and blank lines tolerated). */
export async function loadTruth(path: string, pixels: number, counted = `the image has ${pixels} pixels`): Promise<Int32Array> {
  let labels: Int32Array;
  if (path.toLowerCase().endsWith('.npy')) {
    labels = npyToInt32(await readNpyFile(path), path);
  } else {
    const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new UserError(`${path}: cannot read the truth file (${e.code ?? e.message})`);
    });
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
    labels = new Int32Array(lines.length);
    lines.forEach((l, i) => {
      const v = Number(l.replace(/^["']|["']$/g, ''));
      if (!Number.isInteger(v)) throw new UserError(`${path}: line ${i + 1} ("${l}") is not an integer label`);
      labels[i] = v;
    });
  }
  if (labels.length !== pixels) throw new UserError(`${path} has ${labels.length} labels but ${counted}`);
  return labels;
}
