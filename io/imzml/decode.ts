// Bytes of one .ibd array -> Float64Array. zlib goes through fflate so the same code runs in
// browsers. imzML data is little-endian, as is every platform this project targets (x86, ARM,
// WebAssembly); typed-array views read it directly.
import { unzlibSync } from 'fflate';
import { ITEM_SIZE } from './cv-terms.ts';
import { ImzmlError } from './errors.ts';
import type { ArrayRef } from './types.ts';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('imzML decoding assumes a little-endian platform');
}

/** Where an array came from, for error messages. */
export interface ArrayOrigin {
  file: string;
  spectrum: number;
  what: 'm/z' | 'intensity';
}

export function decodeArray(encoded: Uint8Array, ref: ArrayRef, origin: ArrayOrigin): Float64Array {
  const fail = (problem: string): never => {
    throw new ImzmlError(origin.file, `${origin.what} array: ${problem}`, origin.spectrum);
  };
  const size = ITEM_SIZE[ref.dtype];
  const nbytes = ref.length * size;
  let raw = encoded;
  if (ref.compression === 'zlib') {
    // One spare byte in the output buffer reveals a stream longer than declared (fflate
    // stops silently at the end of a caller-given buffer).
    let inflated: Uint8Array;
    try {
      inflated = unzlibSync(encoded, { out: new Uint8Array(nbytes + 1) });
    } catch (e) {
      return fail(`corrupt zlib data (${(e as Error).message})`);
    }
    if (inflated.length !== nbytes) {
      fail(`zlib data decompresses to ${inflated.length > nbytes ? 'more than ' : ''}${inflated.length} bytes, expected ${nbytes} (${ref.length} values)`);
    }
    raw = inflated;
  } else if (raw.length !== nbytes) {
    fail(`got ${raw.length} bytes, expected ${nbytes} (${ref.length} values)`);
  }
  // Typed views need aligned offsets. `new Uint8Array(x)` always copies (Buffer#slice would not).
  if (raw.byteOffset % size !== 0) raw = new Uint8Array(raw);
  const buf = raw.buffer;
  const at = raw.byteOffset;
  const n = ref.length;
  const out = new Float64Array(n);
  switch (ref.dtype) {
    case 'f64':
      out.set(new Float64Array(buf, at, n));
      break;
    case 'f32':
      out.set(new Float32Array(buf, at, n));
      break;
    case 'i32':
      out.set(new Int32Array(buf, at, n));
      break;
    case 'i64': {
      const v = new BigInt64Array(buf, at, n);
      for (let i = 0; i < n; i++) out[i] = Number(v[i]!);
      break;
    }
  }
  return out;
}

/** m/z values must be finite and in ascending order (ties allowed), as imzML requires. */
export function checkMzArray(mz: Float64Array, origin: ArrayOrigin): void {
  for (let k = 0; k < mz.length; k++) {
    const v = mz[k]!;
    if (!Number.isFinite(v)) throw new ImzmlError(origin.file, `m/z array: value ${v} at point ${k} is not finite`, origin.spectrum);
    if (k > 0 && v < mz[k - 1]!)
      throw new ImzmlError(origin.file, `m/z array is not in ascending order: point ${k} (m/z ${v}) follows m/z ${mz[k - 1]}`, origin.spectrum);
  }
}
