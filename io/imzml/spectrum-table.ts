// Per-spectrum metadata stored column-wise in typed arrays: 42 bytes a spectrum, where one
// SpectrumInfo object with two ArrayRef objects costs ~10x that. A 1M-spectrum file then needs
// ~40 MB of metadata. `spectrumInfoArray` gives the `SpectrumInfo[]` contract on top of it
// without materialising every object.
import type { ArrayRef, Compression, NumericDtype, SpectrumInfo } from './types.ts';

const DTYPES: readonly NumericDtype[] = ['f32', 'f64', 'i32', 'i64'];
const ZLIB_BIT = 4;

/** Largest array length / encoded length a column can hold (Uint32 columns). */
export const MAX_U32 = 0xffffffff;

function encodeFormat(dtype: NumericDtype, compression: Compression): number {
  return DTYPES.indexOf(dtype) | (compression === 'zlib' ? ZLIB_BIT : 0);
}

export class SpectrumTable {
  count = 0;
  x: Int32Array;
  y: Int32Array;
  mzOffset: Float64Array;
  intOffset: Float64Array;
  mzLength: Uint32Array;
  intLength: Uint32Array;
  mzEncoded: Uint32Array;
  intEncoded: Uint32Array;
  /** dtype index (bits 0-1) | zlib bit (2). */
  mzFormat: Uint8Array;
  intFormat: Uint8Array;

  constructor(capacity = 1024) {
    const c = Math.max(1, Math.floor(capacity));
    this.x = new Int32Array(c);
    this.y = new Int32Array(c);
    this.mzOffset = new Float64Array(c);
    this.intOffset = new Float64Array(c);
    this.mzLength = new Uint32Array(c);
    this.intLength = new Uint32Array(c);
    this.mzEncoded = new Uint32Array(c);
    this.intEncoded = new Uint32Array(c);
    this.mzFormat = new Uint8Array(c);
    this.intFormat = new Uint8Array(c);
  }

  private resize(capacity: number): void {
    const grow = <T extends Int32Array | Float64Array | Uint32Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity);
      b.set(a.subarray(0, Math.min(this.count, capacity)));
      return b;
    };
    this.x = grow(this.x);
    this.y = grow(this.y);
    this.mzOffset = grow(this.mzOffset);
    this.intOffset = grow(this.intOffset);
    this.mzLength = grow(this.mzLength);
    this.intLength = grow(this.intLength);
    this.mzEncoded = grow(this.mzEncoded);
    this.intEncoded = grow(this.intEncoded);
    this.mzFormat = grow(this.mzFormat);
    this.intFormat = grow(this.intFormat);
  }

  /** Appends one spectrum; lengths must already be checked to fit in 32 bits. */
  push(x: number, y: number, mz: ArrayRef, intensity: ArrayRef): void {
    if (this.count === this.x.length) this.resize(this.count * 2);
    const i = this.count++;
    this.x[i] = x;
    this.y[i] = y;
    this.mzOffset[i] = mz.offset;
    this.mzLength[i] = mz.length;
    this.mzEncoded[i] = mz.encodedLength;
    this.mzFormat[i] = encodeFormat(mz.dtype, mz.compression);
    this.intOffset[i] = intensity.offset;
    this.intLength[i] = intensity.length;
    this.intEncoded[i] = intensity.encodedLength;
    this.intFormat[i] = encodeFormat(intensity.dtype, intensity.compression);
  }

  /** Drops spare capacity once parsing is done. */
  trim(): void {
    if (this.x.length !== this.count) this.resize(this.count);
  }

  mzRef(i: number): ArrayRef {
    return makeRef(this.mzOffset[i]!, this.mzLength[i]!, this.mzEncoded[i]!, this.mzFormat[i]!);
  }

  intensityRef(i: number): ArrayRef {
    return makeRef(this.intOffset[i]!, this.intLength[i]!, this.intEncoded[i]!, this.intFormat[i]!);
  }

  info(i: number): SpectrumInfo {
    return { index: i, x: this.x[i]!, y: this.y[i]!, mz: this.mzRef(i), intensity: this.intensityRef(i) };
  }
}

function makeRef(offset: number, length: number, encodedLength: number, format: number): ArrayRef {
  return {
    offset,
    length,
    encodedLength,
    dtype: DTYPES[format & 3]!,
    compression: format & ZLIB_BIT ? 'zlib' : 'none',
  };
}

function indexOf(prop: string | symbol, count: number): number {
  if (typeof prop !== 'string') return -1;
  const c = prop.charCodeAt(0);
  if (c < 48 || c > 57) return -1;
  const i = Number(prop);
  return Number.isInteger(i) && i < count && String(i) === prop ? i : -1;
}

/**
 * A read-only array whose elements are built from the table on access. It is a real Array to
 * `Array.isArray`, `length`, indexing, iteration, map/filter/slice and JSON.stringify.
 */
export function spectrumInfoArray(table: SpectrumTable): SpectrumInfo[] {
  const n = table.count;
  // A holey array of length n holds no elements, so it costs almost nothing however large n is.
  const target: SpectrumInfo[] = new Array(n);
  return new Proxy(target, {
    get(t, p, receiver) {
      const i = indexOf(p, n);
      return i >= 0 ? table.info(i) : Reflect.get(t, p, receiver);
    },
    has(t, p) {
      return indexOf(p, n) >= 0 || Reflect.has(t, p);
    },
    getOwnPropertyDescriptor(t, p) {
      const i = indexOf(p, n);
      if (i < 0) return Reflect.getOwnPropertyDescriptor(t, p);
      return { value: table.info(i), writable: false, enumerable: true, configurable: true };
    },
    ownKeys(t) {
      const keys: (string | symbol)[] = [];
      for (let i = 0; i < n; i++) keys.push(String(i));
      return keys.concat(Reflect.ownKeys(t));
    },
    set() {
      return false;
    },
    deleteProperty() {
      return false;
    },
    defineProperty() {
      return false;
    },
  });
}
