// The imzML reader over two ByteSources (Node files or browser Blobs; no Node built-ins here).
// Opening parses the XML header as a stream and checks it against the .ibd (UUID, every array
// inside the file, m/z and intensity lengths equal); spectra are then read by offset on demand,
// so memory is the compact spectrum table plus whatever spectra the caller holds.
import { checkMzArray, decodeArray } from './decode.ts';
import { checkDeclaredPoints, firstDuplicatePixel } from './header-checks.ts';
import { ImzmlError } from './errors.ts';
import { canonicalUuid, normalizeUuid } from './uuid.ts';
import { SpectrumTable, spectrumInfoArray } from './spectrum-table.ts';
import type { ArrayRef, ByteSource, ImzmlFile, ImzmlMode, Spectrum, SpectrumInfo } from './types.ts';
import { parseImzmlHeader } from './xml-header.ts';

/** Masks beyond this many pixels come from corrupt coordinates, not real images (16384^2). */
const MAX_GRID_PIXELS = 2 ** 28;

/**
 * Default cap on the points one spectrum may declare (2^23 = 8,388,608, above the largest
 * profile spectra of FT-ICR instruments). A spectrum at the cap needs ~270 MB while it is
 * decoded; the cap keeps a few corrupt or hostile header numbers from claiming gigabytes.
 */
export const DEFAULT_MAX_SPECTRUM_POINTS = 2 ** 23;

export interface ReaderOptions {
  /** Largest number of points a spectrum may declare; default DEFAULT_MAX_SPECTRUM_POINTS. */
  maxSpectrumPoints?: number;
}

export interface ImzmlReader extends ImzmlFile {
  /** The XML header; `source` is the .ibd. */
  readonly headerSource: ByteSource;
  /** Number of spectra (= spectra.length, without building anything). */
  readonly count: number;
  /** Column-wise metadata behind `spectra` (typed arrays; do not modify). */
  readonly table: SpectrumTable;
  /** Largest x and y coordinate present. */
  readonly maxX: number;
  readonly maxY: number;
  /** Checksums of the .ibd as written in the header (lower-case hex), not verified. */
  readonly sha1: string | null;
  readonly md5: string | null;
  /** `uuid` (inherited) is in canonical 8-4-4-4-12 lower-case form. */
  /** Reads only the m/z array of spectrum i. */
  readMz(i: number): Promise<Float64Array>;
  /** Reads only the intensity array of spectrum i. */
  readIntensity(i: number): Promise<Float64Array>;
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export async function openImzmlSources(header: ByteSource, ibd: ByteSource, opts: ReaderOptions = {}): Promise<ImzmlReader> {
  const parsed = await parseImzmlHeader(header);
  const table = parsed.table;
  const n = table.count;

  // The first 16 bytes of the .ibd are the UUID the header names: a mismatch means the .ibd
  // belongs to another acquisition (or another version of this one).
  let uuid: string | null = null;
  if (parsed.uuid !== null) {
    const hexUuid = normalizeUuid(parsed.uuid);
    if (hexUuid === null) throw new ImzmlError(header.name, `malformed UUID "${parsed.uuid}" (IMS:1000080)`);
    if (ibd.size < 16) throw new ImzmlError(ibd.name, `file is ${ibd.size} bytes, too short to hold the 16-byte UUID`);
    const got = hex(await ibd.read(0, 16));
    if (got !== hexUuid) {
      throw new ImzmlError(
        ibd.name,
        `UUID ${canonicalUuid(got)} in the first 16 bytes does not match UUID ${canonicalUuid(hexUuid)} of ${header.name}; the .ibd belongs to another file`,
      );
    }
    uuid = canonicalUuid(hexUuid);
  }

  let maxX = 0;
  let maxY = 0;
  let sharedMz = true;
  for (let i = 0; i < n; i++) {
    if (table.mzLength[i] !== table.intLength[i]) {
      throw new ImzmlError(
        header.name,
        `m/z array has ${table.mzLength[i]} values but intensity array has ${table.intLength[i]}`,
        i,
      );
    }
    for (const [what, offset, bytes] of [
      ['m/z', table.mzOffset[i]!, table.mzEncoded[i]!],
      ['intensity', table.intOffset[i]!, table.intEncoded[i]!],
    ] as const) {
      if (offset + bytes > ibd.size) {
        throw new ImzmlError(
          ibd.name,
          `${what} array (offset ${offset}, ${bytes} bytes) ends past the end of the file (${ibd.size} bytes); truncated .ibd or wrong offset`,
          i,
        );
      }
    }
    checkDeclaredPoints(table, i, ibd.name, opts.maxSpectrumPoints ?? DEFAULT_MAX_SPECTRUM_POINTS);
    if (table.mzOffset[i] !== table.mzOffset[0]) sharedMz = false;
    if (table.x[i]! > maxX) maxX = table.x[i]!;
    if (table.y[i]! > maxY) maxY = table.y[i]!;
  }
  // Files without a mode term: one shared m/z array is what "continuous" means.
  const mode: ImzmlMode = parsed.mode ?? (sharedMz ? 'continuous' : 'processed');
  // The grid must hold every coordinate; some writers (e.g. Cardinal) put a count smaller than
  // the coordinates in the max-count params, so the larger of the two wins.
  const width = Math.max(parsed.maxCountX ?? 0, maxX);
  const height = Math.max(parsed.maxCountY ?? 0, maxY);
  if (width * height > MAX_GRID_PIXELS) {
    throw new ImzmlError(header.name, `grid ${width} x ${height} is implausibly large; coordinates or max counts are corrupt`);
  }
  const dup = firstDuplicatePixel(table, width, height);
  if (dup) throw new ImzmlError(header.name, `pixel (${table.x[dup.spectrum]}, ${table.y[dup.spectrum]}) already holds spectrum ${dup.holder}`, dup.spectrum);
  const pixelSize = parsed.pixelSizeX ?? parsed.pixelSizeY ?? undefined;

  let spectra: SpectrumInfo[] | null = null;
  // Continuous files share one m/z array: decode it once, hand out copies.
  let mzCache: { offset: number; values: Float64Array } | null = null;

  const checkIndex = (i: number) => {
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new ImzmlError(header.name, `spectrum index ${i} is out of range (0..${n - 1})`);
    }
  };
  const readArray = async (ref: ArrayRef, i: number, what: 'm/z' | 'intensity'): Promise<Float64Array> => {
    const bytes = await ibd.read(ref.offset, ref.encodedLength);
    if (bytes.length !== ref.encodedLength) {
      throw new ImzmlError(
        ibd.name,
        `${what} array: read ${bytes.length} of ${ref.encodedLength} bytes at offset ${ref.offset}; truncated .ibd`,
        i,
      );
    }
    const values = decodeArray(bytes, ref, { file: ibd.name, spectrum: i, what });
    if (what === 'm/z') checkMzArray(values, { file: ibd.name, spectrum: i, what });
    return values;
  };
  const readMz = async (i: number): Promise<Float64Array> => {
    checkIndex(i);
    const ref = table.mzRef(i);
    if (mode !== 'continuous') return readArray(ref, i, 'm/z');
    if (mzCache?.offset !== ref.offset || mzCache.values.length !== ref.length) {
      mzCache = { offset: ref.offset, values: await readArray(ref, i, 'm/z') };
    }
    return mzCache.values.slice();
  };
  const readIntensity = async (i: number): Promise<Float64Array> => {
    checkIndex(i);
    return readArray(table.intensityRef(i), i, 'intensity');
  };

  const reader: ImzmlReader = {
    mode,
    uuid,
    width,
    height,
    ...(pixelSize !== undefined ? { pixelSize } : {}),
    get spectra(): SpectrumInfo[] {
      return (spectra ??= spectrumInfoArray(table));
    },
    source: ibd,
    headerSource: header,
    count: n,
    table,
    maxX,
    maxY,
    sha1: parsed.sha1,
    md5: parsed.md5,
    readMz,
    readIntensity,
    async readSpectrum(i: number): Promise<Spectrum> {
      const [mz, intensity] = await Promise.all([readMz(i), readIntensity(i)]);
      return { mz, intensity };
    },
    mask(): Uint8Array {
      const m = new Uint8Array(width * height);
      for (let i = 0; i < n; i++) m[(table.y[i]! - 1) * width + (table.x[i]! - 1)] = 1;
      return m;
    },
    async close(): Promise<void> {
      await Promise.all([header.close?.(), ibd.close?.()]);
    },
  };
  return reader;
}
