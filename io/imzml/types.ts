// The contract between the imzML reader/writer and everything that consumes spectra
// (preprocessing, simulator, `msinet info`). Byte access goes through ByteSource so the same
// reader runs on a Node file or a browser File/Blob.

export type NumericDtype = 'f32' | 'f64' | 'i32' | 'i64';
export type ImzmlMode = 'continuous' | 'processed';
export type Compression = 'none' | 'zlib';

/** Random access to bytes: a Node file handle or a browser Blob. */
export interface ByteSource {
  readonly name: string;
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  close?(): Promise<void>;
}

/** Per-spectrum metadata from the XML header (document order). */
export interface SpectrumInfo {
  index: number;
  /** 1-based pixel coordinates as written in the file. */
  x: number;
  y: number;
  mz: ArrayRef;
  intensity: ArrayRef;
}

export interface ArrayRef {
  offset: number;
  /** Number of values (external array length). */
  length: number;
  /** Encoded length in bytes (differs from length * itemsize when compressed). */
  encodedLength: number;
  dtype: NumericDtype;
  compression: Compression;
}

export interface Spectrum {
  mz: Float64Array;
  intensity: Float64Array;
}

export interface ImzmlHeader {
  mode: ImzmlMode;
  uuid: string | null;
  /** Grid size: max count params when present, else the max coordinates. */
  width: number;
  height: number;
  pixelSize?: number;
  spectra: SpectrumInfo[];
}

export interface ImzmlFile extends ImzmlHeader {
  readonly source: ByteSource;
  /** Reads spectrum i (document order) from the .ibd. */
  readSpectrum(i: number): Promise<Spectrum>;
  /** Row-major H x W mask: 1 where a spectrum exists. */
  mask(): Uint8Array;
  close(): Promise<void>;
}

export interface WriteSpectrum {
  /** 1-based pixel coordinates. */
  x: number;
  y: number;
  mz: ArrayLike<number>;
  intensity: ArrayLike<number>;
}

export interface ImzmlWriteOptions {
  mode: ImzmlMode;
  mzDtype?: NumericDtype; // default f64
  intensityDtype?: NumericDtype; // default f32
  compression?: Compression; // default none
  /** Grid size written as max count params (omit to leave them out). */
  width?: number;
  height?: number;
  pixelSize?: number;
  /** UUID to write (any of {..}, with or without hyphens); default a random one. */
  uuid?: string;
  /** Spectrum representation term written for every spectrum; default 'profile'. */
  spectrumType?: 'profile' | 'centroid';
}
