// NumPy .npy format (versions 1.0, 2.0, 3.0) from and to bytes. No Node built-ins here so the
// browser app parses the same way; io/npy-node.ts is the thin file wrapper.
//
// Layout: magic "\x93NUMPY", major, minor, header length (u16 LE for 1.0, u32 LE for 2.0/3.0),
// then a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// padded with spaces and a final '\n' so the data starts on a 64-byte boundary, then the raw
// C-order data.

import { oneLine } from './one-line.ts';

export type NpyDtype = 'f2' | 'f4' | 'f8' | 'i1' | 'i2' | 'i4' | 'i8' | 'u1' | 'u2' | 'u4' | 'u8' | 'b1';

/** In-memory array types. 'f2' is widened to Float32Array; 'b1' is a Uint8Array of 0/1. */
export type NpyData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

export interface NpyArray {
  /** The dtype as stored in the file (byte order already resolved to the host's). */
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

/** Writable element types (the ones this project produces). */
export type NpyWritable = Float32Array | Float64Array | Int32Array | Uint8Array;

export class NpyError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(oneLine(`${file}: ${problem}`));
    this.name = 'NpyError';
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ITEMSIZE: Record<NpyDtype, number> = { f2: 2, f4: 4, f8: 8, i1: 1, i2: 2, i4: 4, i8: 8, u1: 1, u2: 2, u4: 4, u8: 8, b1: 1 };

// ---------------------------------------------------------------------------------------------
// Reading

/**
 * Parses a .npy file held in memory. `name` is used in error messages (a file path or a
 * browser File name). The returned data never aliases `bytes`.
 */
export function parseNpy(bytes: Uint8Array, name = '<npy bytes>'): NpyArray {
  const fail = (problem: string): never => {
    throw new NpyError(name, problem);
  };
  if (bytes.length < 10) fail(`not a .npy file: only ${bytes.length} bytes, too short for the header`);
  for (let i = 0; i < MAGIC.length; i++)
    if (bytes[i] !== MAGIC[i]) fail('not a .npy file: bad magic (expected \\x93NUMPY at the start)');
  const major = bytes[6]!, minor = bytes[7]!;
  if (major < 1 || major > 3) fail(`unsupported .npy format version ${major}.${minor} (this reader knows 1.0, 2.0, 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number, headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else {
    if (bytes.length < 12) fail('unreadable header: file ends inside the header length field');
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) fail(`unreadable header: header says ${headerLen} bytes but the file ends after ${bytes.length - headerStart}`);
  const raw = bytes.subarray(headerStart, dataStart);
  // 1.0 and 2.0 headers are latin1; 3.0 allows utf8 (only field names could use it).
  const text = major === 3 ? new TextDecoder('utf-8').decode(raw) : latin1(raw);

  let dict: unknown;
  try {
    dict = parsePyLiteral(text);
  } catch (e) {
    fail(`unreadable header (${(e as Error).message}): ${JSON.stringify(text.trim().slice(0, 120))}`);
  }
  if (!isDict(dict)) return fail(`unreadable header: expected a dict, got ${JSON.stringify(text.trim().slice(0, 120))}`);
  const descr = dict.get('descr'), fortran = dict.get('fortran_order'), shapeV = dict.get('shape');
  if (descr === undefined || fortran === undefined || shapeV === undefined)
    fail(`unreadable header: it must have the keys 'descr', 'fortran_order' and 'shape' (got ${[...dict.keys()].join(', ')})`);
  if (typeof descr !== 'string') return fail(`unsupported dtype: structured or record dtypes are not supported (descr ${describe(descr)})`);
  if (typeof fortran !== 'boolean') fail(`unreadable header: fortran_order must be True or False`);
  if (!Array.isArray(shapeV) || !shapeV.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0))
    fail(`unreadable header: shape must be a tuple of non-negative integers (got ${describe(shapeV)})`);
  const shape = shapeV as number[];

  const { dtype, littleEndian } = parseDescr(descr, fail);
  const count = shape.reduce((a, b) => a * b, 1);
  const itemsize = ITEMSIZE[dtype];
  const nbytes = count * itemsize;
  if (!Number.isSafeInteger(nbytes)) fail(`shape (${shape.join(', ')}) is too large`);
  if (dataStart + nbytes > bytes.length)
    fail(`truncated data: shape (${shape.join(', ')}) of ${descr} needs ${nbytes} bytes after the header, the file has ${bytes.length - dataStart}`);

  // Copy into a fresh, aligned buffer (the header length need not keep data aligned in
  // old files) and swap bytes if the file's order differs from the host's.
  // (Explicit copy: Node's Buffer#slice is a view, not a copy.)
  const copy = new Uint8Array(nbytes);
  copy.set(bytes.subarray(dataStart, dataStart + nbytes));
  const buf = copy.buffer;
  if (itemsize > 1 && littleEndian !== HOST_LITTLE) swapBytes(new Uint8Array(buf), itemsize);
  // numpy writes any transposed array in Fortran order: reorder it to the row-major layout
  // every reader here expects.
  const data = fortran && shape.length > 1 ? fortranToRowMajor(copy, shape, itemsize).buffer : buf;
  return { dtype, shape, data: makeArray(dtype, data as ArrayBuffer, count) };
}

const HOST_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function parseDescr(descr: string, fail: (p: string) => never): { dtype: NpyDtype; littleEndian: boolean } {
  const m = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(descr);
  if (!m) return fail(`unsupported dtype '${descr}'`);
  const [, order, kind, size] = m;
  const key = `${kind}${size}`;
  if (!(key in ITEMSIZE))
    fail(`unsupported dtype '${descr}' (supported: float16/32/64, int8/16/32/64, uint8/16/32/64, bool)`);
  const dtype = key as NpyDtype;
  if (ITEMSIZE[dtype] > 1 && order === '|') fail(`unsupported dtype '${descr}': multi-byte types need a byte order`);
  return { dtype, littleEndian: order === '>' ? false : order === '<' ? true : HOST_LITTLE };
}

/** Column-major bytes of an array of `shape` -> row-major bytes (itemsize bytes per element). */
export function fortranToRowMajor(src: Uint8Array, shape: readonly number[], itemsize: number): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(count * itemsize);
  const d = shape.length;
  const fStride: number[] = [];
  for (let j = 0, s = 1; j < d; j++) (fStride[j] = s), (s *= shape[j]!);
  const idx = new Array<number>(d).fill(0);
  let f = 0; // Fortran offset of the current row-major index, updated like an odometer
  for (let r = 0; r < count; r++) {
    out.set(src.subarray(f * itemsize, (f + 1) * itemsize), r * itemsize);
    for (let j = d - 1; j >= 0; j--) {
      idx[j]!++;
      f += fStride[j]!;
      if (idx[j]! < shape[j]!) break;
      f -= idx[j]! * fStride[j]!;
      idx[j] = 0;
    }
  }
  return out;
}

function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i < b.length; i += size)
    for (let lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
      const t = b[lo]!;
      b[lo] = b[hi]!;
      b[hi] = t;
    }
}

function makeArray(dtype: NpyDtype, buf: ArrayBuffer, n: number): NpyData {
  switch (dtype) {
    case 'f2':
      return halfToFloat(new Uint16Array(buf, 0, n));
    case 'f4':
      return new Float32Array(buf, 0, n);
    case 'f8':
      return new Float64Array(buf, 0, n);
    case 'i1':
      return new Int8Array(buf, 0, n);
    case 'i2':
      return new Int16Array(buf, 0, n);
    case 'i4':
      return new Int32Array(buf, 0, n);
    case 'i8':
      return new BigInt64Array(buf, 0, n);
    case 'u1':
    case 'b1':
      return new Uint8Array(buf, 0, n);
    case 'u2':
      return new Uint16Array(buf, 0, n);
    case 'u4':
      return new Uint32Array(buf, 0, n);
    case 'u8':
      return new BigUint64Array(buf, 0, n);
  }
}

/** IEEE 754 binary16 -> float32 (exact: every half value is a float32 value). */
function halfToFloat(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const v = h[i]!;
    const sign = v & 0x8000 ? -1 : 1, exp = (v >> 10) & 0x1f, frac = v & 0x3ff;
    out[i] =
      exp === 0 ? sign * frac * 2 ** -24 : exp === 31 ? (frac ? NaN : sign * Infinity) : sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function describe(v: unknown): string {
  if (v instanceof Map) return 'a dict';
  return JSON.stringify(v) ?? String(v);
}

// A minimal parser for the Python literals numpy writes in headers: dicts, tuples, lists,
// strings, ints, True/False/None. Anything else is an error (the header is untrusted input).
type PyValue = string | number | boolean | null | PyValue[] | Map<string, PyValue>;

function isDict(v: unknown): v is Map<string, PyValue> {
  return v instanceof Map;
}

function parsePyLiteral(src: string): PyValue {
  let i = 0;
  const ws = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const expect = (c: string) => {
    ws();
    if (src[i] !== c) throw new Error(`expected '${c}' at offset ${i}`);
    i++;
  };
  const value = (): PyValue => {
    ws();
    const c = src[i];
    if (c === undefined) throw new Error('unexpected end');
    if (c === '{') {
      i++;
      const m = new Map<string, PyValue>();
      for (;;) {
        ws();
        if (src[i] === '}') {
          i++;
          return m;
        }
        const k = value();
        if (typeof k !== 'string') throw new Error(`dict key at offset ${i} is not a string`);
        expect(':');
        m.set(k, value());
        ws();
        if (src[i] === ',') i++;
        else if (src[i] !== '}') throw new Error(`expected ',' or '}' at offset ${i}`);
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const a: PyValue[] = [];
      for (;;) {
        ws();
        if (src[i] === close) {
          i++;
          return a;
        }
        a.push(value());
        ws();
        if (src[i] === ',') i++;
        else if (src[i] !== close) throw new Error(`expected ',' or '${close}' at offset ${i}`);
      }
    }
    if (c === "'" || c === '"') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new Error('unterminated string');
      const s = src.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    const m = /^(-?\d+)L?|^(True|False|None)/.exec(src.slice(i));
    if (!m) throw new Error(`unexpected '${c}' at offset ${i}`);
    i += m[0].length;
    if (m[2]) return m[2] === 'True' ? true : m[2] === 'False' ? false : null;
    return Number(m[1]);
  };
  const v = value();
  ws();
  if (i !== src.length) throw new Error(`trailing text at offset ${i}`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Writing

const DESCR_OF = (d: NpyWritable): string =>
  d instanceof Float32Array ? '<f4' : d instanceof Float64Array ? '<f8' : d instanceof Int32Array ? '<i4' : '|u1';

/**
 * Encodes a C-order array as .npy bytes (little-endian). Version 1.0 unless the header needs
 * more than 65535 bytes (then 2.0); `version` forces one (3.0 differs only in allowing utf8).
 */
export function encodeNpy(data: NpyWritable, shape: readonly number[], { version }: { version?: 1 | 2 | 3 } = {}): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new RangeError(`encodeNpy: bad shape (${shape.join(', ')})`);
  if (count !== data.length) throw new RangeError(`encodeNpy: shape (${shape.join(', ')}) holds ${count} values, data has ${data.length}`);
  if (!(data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array || data instanceof Uint8Array))
    throw new TypeError('encodeNpy: data must be a Float32Array, Float64Array, Int32Array or Uint8Array');
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${DESCR_OF(data)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Like numpy >= 1.23: spare spaces so the first axis can grow in place, then pad with spaces
  // so prefix + header is a multiple of 64, ending in '\n'. The bytes then match numpy's.
  const grown = dict + (shape.length ? ' '.repeat(Math.max(0, 21 - String(shape[0]).length)) : '');
  const totalFor = (prefix: number) => Math.ceil((prefix + grown.length + 1) / 64) * 64;
  const v = version ?? (totalFor(10) - 10 > 65535 ? 2 : 1);
  const prefix = v === 1 ? 10 : 12;
  const total = totalFor(prefix);
  const header = grown + ' '.repeat(total - prefix - grown.length - 1) + '\n';
  if (v === 1 && header.length > 65535) throw new RangeError('encodeNpy: header too long for version 1.0');
  const headerBytes = new TextEncoder().encode(header); // ASCII only, so latin1 == utf8 here
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = v;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (v === 1) view.setUint16(8, headerBytes.length, true);
  else view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, prefix);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  out.set(body, total);
  if (!HOST_LITTLE && data.BYTES_PER_ELEMENT > 1) swapBytes(out.subarray(total), data.BYTES_PER_ELEMENT);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Conversions for consumers that want one numeric type.

/** Any numeric .npy array as Float32Array (int64 values beyond 2^53 lose precision, as in numpy). */
export function npyToFloat32(a: NpyArray): Float32Array {
  if (a.data instanceof Float32Array) return a.data;
  if (a.data instanceof BigInt64Array || a.data instanceof BigUint64Array) return Float32Array.from(a.data, (v) => Number(v));
  return Float32Array.from(a.data as ArrayLike<number>);
}

/**
 * Integer labels as Int32Array. Floats must hold whole numbers; values outside int32 are an
 * error (labels never need them). `name` goes into the error message.
 */
export function npyToInt32(a: NpyArray, name = '<npy>'): Int32Array {
  if (a.data instanceof Int32Array) return a.data;
  const out = new Int32Array(a.data.length);
  for (let i = 0; i < a.data.length; i++) {
    const v = Number(a.data[i]!);
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647)
      throw new NpyError(name, `value ${a.data[i]} at flat index ${i} is not an int32 label`);
    out[i] = v;
  }
  return out;
}
