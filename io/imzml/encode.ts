// Values -> bytes of one .ibd array (the inverse of decode.ts). Integer dtypes round to the
// nearest integer and refuse values they cannot hold rather than wrapping them silently.
import { zlibSync } from 'fflate';
import type { Compression, NumericDtype } from './types.ts';

/** Thrown with the offending point; the writer adds file and spectrum. */
export class EncodeRangeError extends Error {
  constructor(readonly point: number, readonly value: number, readonly dtype: NumericDtype) {
    super(`value ${value} at point ${point} does not fit ${dtype}`);
  }
}

const I64_LIMIT = 2 ** 63;

export function encodeValues(values: ArrayLike<number>, dtype: NumericDtype): Uint8Array {
  const n = values.length;
  switch (dtype) {
    case 'f64': {
      const a = new Float64Array(n);
      a.set(values);
      return new Uint8Array(a.buffer);
    }
    case 'f32': {
      const a = new Float32Array(n);
      a.set(values);
      return new Uint8Array(a.buffer);
    }
    case 'i32': {
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = Math.round(values[i]!);
        if (!(v >= -0x80000000 && v <= 0x7fffffff)) throw new EncodeRangeError(i, values[i]!, dtype);
        a[i] = v;
      }
      return new Uint8Array(a.buffer);
    }
    case 'i64': {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = Math.round(values[i]!);
        if (!(v >= -I64_LIMIT && v < I64_LIMIT)) throw new EncodeRangeError(i, values[i]!, dtype);
        a[i] = BigInt(v);
      }
      return new Uint8Array(a.buffer);
    }
  }
}

export function compressBytes(bytes: Uint8Array, compression: Compression): Uint8Array {
  return compression === 'zlib' ? zlibSync(bytes, { level: 6 }) : bytes;
}
