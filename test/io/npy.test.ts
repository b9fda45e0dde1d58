import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, NpyError, npyToFloat32, npyToInt32, parseNpy, type NpyWritable } from '../../io/npy.ts';
import { readNpyFile, writeNpyFile } from '../../io/npy-node.ts';

// Bytes written by numpy 2.4 (np.lib.format.write_array), so the reader is checked against the
// reference implementation rather than against this project's own writer.
const NUMPY: Record<string, string> = {
  // np.array([[1.5,-2.0,3.25],[0,1e-3,7]], dtype='<f4')
  f4_2x3: '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000c03f000000c000005040000000006f12833a0000e040',
  // np.array([0.1, -1e300, np.pi])
  f8_3: '934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a9a9999999999b93f9c7500883ce437fe182d4454fb210940',
  // np.array([[1,-2],[2147483647,-2147483648]], dtype='<i4')
  i4_2x2: '934e554d5059010076007b276465736372273a20273c6934272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2032292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a01000000feffffffffffff7f00000080',
  // np.array([0,1,128,255], dtype='u1')
  u1_4: '934e554d5059010076007b276465736372273a20277c7531272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028342c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000180ff',
  // np.array([1,2,3], dtype='<f4'), version=(2,0)
  f4_v2: '934e554d50590200740000007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000803f0000004000004040',
  // np.array([[5],[6]], dtype='<i4'), version=(3,0)
  i4_v3: '934e554d50590300740000007b276465736372273a20273c6934272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2031292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0500000006000000',
  // (np.arange(6).reshape(2,3) - 2).astype('>i8')
  be_i8: '934e554d5059010076007b276465736372273a20273e6938272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200afffffffffffffffeffffffffffffffff0000000000000000000000000000000100000000000000020000000000000003',
  // np.array([0.1, -1e300], dtype='>f8')
  be_f8: '934e554d5059010076007b276465736372273a20273e6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a3fb999999999999afe37e43c8800759c',
  // np.array([1.5, -3], dtype='>f4')
  be_f4: '934e554d5059010076007b276465736372273a20273e6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a3fc00000c0400000',
  // np.array([1, 65535, 258], dtype='>u2')
  be_u2: '934e554d5059010076007b276465736372273a20273e7532272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0001ffff0102',
  // np.array([-32768, 12, 32767], dtype='<i2')
  i2: '934e554d5059010076007b276465736372273a20273c6932272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a00800c00ff7f',
  // np.array([1.0, -0.5, 65504, 2**-24], dtype='<f2')
  f2: '934e554d5059010076007b276465736372273a20273c6632272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028342c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a003c00b8ff7b0100',
  // np.array([True, False, True])
  b1: '934e554d5059010076007b276465736372273a20277c6231272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a010001',
  // np.array(2.5)
  scalar_f8: '934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000000000000440',
  // np.zeros((0,3), np.float32)
  empty_f4: '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028302c2033292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a',
  // np.array([2**64-1, 3], dtype='<u8')
  u8: '934e554d5059010076007b276465736372273a20273c7538272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200affffffffffffffff0300000000000000',
  // np.array([-128, 127], dtype='i1')
  i1: '934e554d5059010076007b276465736372273a20277c6931272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a807f',
};

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
const fixture = (k: string) => hex(NUMPY[k]!);

test('reads numpy-written files of every supported dtype and both byte orders', () => {
  const cases: Array<[string, string, number[], ArrayLike<number | bigint>, string]> = [
    ['f4_2x3', 'f4', [2, 3], [1.5, -2, 3.25, 0, Math.fround(1e-3), 7], 'Float32Array'],
    ['f8_3', 'f8', [3], [0.1, -1e300, Math.PI], 'Float64Array'],
    ['i4_2x2', 'i4', [2, 2], [1, -2, 2147483647, -2147483648], 'Int32Array'],
    ['u1_4', 'u1', [4], [0, 1, 128, 255], 'Uint8Array'],
    ['f4_v2', 'f4', [3], [1, 2, 3], 'Float32Array'],
    ['i4_v3', 'i4', [2, 1], [5, 6], 'Int32Array'],
    ['be_i8', 'i8', [2, 3], [-2n, -1n, 0n, 1n, 2n, 3n], 'BigInt64Array'],
    ['be_f8', 'f8', [2], [0.1, -1e300], 'Float64Array'],
    ['be_f4', 'f4', [2], [1.5, -3], 'Float32Array'],
    ['be_u2', 'u2', [3], [1, 65535, 258], 'Uint16Array'],
    ['i2', 'i2', [3], [-32768, 12, 32767], 'Int16Array'],
    ['f2', 'f2', [4], [1, -0.5, 65504, 2 ** -24], 'Float32Array'],
    ['b1', 'b1', [3], [1, 0, 1], 'Uint8Array'],
    ['scalar_f8', 'f8', [], [2.5], 'Float64Array'],
    ['empty_f4', 'f4', [0, 3], [], 'Float32Array'],
    ['u8', 'u8', [2], [2n ** 64n - 1n, 3n], 'BigUint64Array'],
    ['i1', 'i1', [2], [-128, 127], 'Int8Array'],
  ];
  for (const [k, dtype, shape, values, ctor] of cases) {
    const a = parseNpy(fixture(k), k);
    assert.is(a.dtype, dtype, `${k} dtype`);
    assert.equal(a.shape, shape, `${k} shape`);
    assert.is(a.data.constructor.name, ctor, `${k} array type`);
    assert.equal(Array.from(a.data as ArrayLike<number | bigint>), Array.from(values), `${k} values`);
  }
});

test('writer output is byte-identical to numpy for f4, f8, i4, u1 and header versions 1.0/2.0/3.0', () => {
  const same = (mine: Uint8Array, k: string) => assert.equal(Array.from(mine), Array.from(fixture(k)), k);
  same(encodeNpy(new Float32Array([1.5, -2, 3.25, 0, 1e-3, 7]), [2, 3]), 'f4_2x3');
  same(encodeNpy(new Float64Array([0.1, -1e300, Math.PI]), [3]), 'f8_3');
  same(encodeNpy(new Int32Array([1, -2, 2147483647, -2147483648]), [2, 2]), 'i4_2x2');
  same(encodeNpy(new Uint8Array([0, 1, 128, 255]), [4]), 'u1_4');
  same(encodeNpy(new Float32Array([1, 2, 3]), [3], { version: 2 }), 'f4_v2');
  same(encodeNpy(new Int32Array([5, 6]), [2, 1], { version: 3 }), 'i4_v3');
  same(encodeNpy(new Float64Array([2.5]), []), 'scalar_f8');
  same(encodeNpy(new Float32Array(0), [0, 3]), 'empty_f4');
});

test('round trips every writable dtype in all three header versions; data starts 64-byte aligned', () => {
  const arrays: Array<[NpyWritable, number[]]> = [
    [Float32Array.from({ length: 70 }, (_, i) => Math.sin(i) * 1e3), [7, 10]],
    [Float64Array.from({ length: 24 }, (_, i) => 1 / (i + 1) - 0.3), [2, 3, 4]],
    [Int32Array.from({ length: 9 }, (_, i) => (i - 4) * 123456789), [9]],
    [Uint8Array.from({ length: 257 }, (_, i) => i % 256), [257, 1]],
  ];
  for (const [data, shape] of arrays)
    for (const version of [1, 2, 3] as const) {
      const bytes = encodeNpy(data, shape, { version });
      assert.is(bytes[6], version);
      const headerLen = version === 1 ? bytes[8]! | (bytes[9]! << 8) : new DataView(bytes.buffer).getUint32(8, true);
      assert.is((headerLen + (version === 1 ? 10 : 12)) % 64, 0, 'data offset is a multiple of 64');
      const back = parseNpy(bytes);
      assert.equal(back.shape, shape);
      assert.is(back.data.constructor, data.constructor);
      assert.equal(Array.from(back.data as ArrayLike<number>), Array.from(data));
    }
});

test('a header too long for version 1.0 switches to 2.0 automatically', () => {
  // A 70000-dimensional shape of ones: the dict alone is ~ 210 kB.
  const shape = Array.from({ length: 70000 }, () => 1);
  const bytes = encodeNpy(new Float32Array([4]), shape);
  assert.is(bytes[6], 2);
  const back = parseNpy(bytes);
  assert.is(back.shape.length, 70000);
  assert.is(back.data[0], 4);
});

test('unaligned data in a hand-made old-style header is still read (copied, not viewed)', () => {
  // Version 1.0 header padded to 16 + 3 bytes (data offset 83, not a multiple of 4 or 8).
  const dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
  const header = dict + ' '.repeat(83 - 10 - dict.length - 1) + '\n';
  const bytes = new Uint8Array(83 + 16);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
  bytes.set(new TextEncoder().encode(header), 10);
  new DataView(bytes.buffer).setFloat64(83, -7.25, true);
  new DataView(bytes.buffer).setFloat64(91, 1e-200, true);
  assert.equal(Array.from(parseNpy(bytes).data as Float64Array), [-7.25, 1e-200]);
});

function withHeader(dict: string, dataBytes = 0, version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  const header = dict + ' '.repeat(total - pre - dict.length - 1) + '\n';
  const b = new Uint8Array(total + dataBytes);
  b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  if (version === 1) new DataView(b.buffer).setUint16(8, header.length, true);
  else new DataView(b.buffer).setUint32(8, header.length, true);
  b.set(new TextEncoder().encode(header), pre);
  return b;
}

function throwsNpy(fn: () => unknown, re: RegExp, file = 'x.npy'): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, NpyError);
    assert.is((e as Error).name, 'NpyError');
    assert.ok((e as Error).message.startsWith(`${file}: `), `message names the file: ${(e as Error).message}`);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected an NpyError matching ${re}`);
}

test('Fortran-ordered arrays (numpy writes any transposed array so) read back in row-major order', () => {
  // A (2, 3, 4) array with a[i, j, k] = 100 i + 10 j + k, stored column-major (i fastest).
  const shape = [2, 3, 4];
  const b = withHeader("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 4), }", 24 * 8);
  const start = b.length - 24 * 8;
  const view = new DataView(b.buffer);
  for (let k = 0, f = 0; k < 4; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++, f++) view.setFloat64(start + 8 * f, 100 * i + 10 * j + k, true);
  const a = parseNpy(b, 'f.npy');
  assert.equal(a.shape, shape);
  const want: number[] = [];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) want.push(100 * i + 10 * j + k);
  assert.equal(Array.from(a.data as Float64Array), want);
  // 1-D: both orders are the same bytes.
  const one = withHeader("{'descr': '<i4', 'fortran_order': True, 'shape': (3,), }", 12);
  new Int32Array(one.buffer, one.length - 12, 3).set([7, 8, 9]);
  assert.equal(Array.from(parseNpy(one, 'g.npy').data as Int32Array), [7, 8, 9]);
});

test('malformed files give NpyError naming the file and the problem', () => {
  const good = fixture('f4_2x3');
  throwsNpy(() => parseNpy(good.slice(0, 5), 'x.npy'), /too short/);
  const badMagic = good.slice();
  badMagic[1] = 0x4d;
  throwsNpy(() => parseNpy(badMagic, 'x.npy'), /bad magic/);
  const v9 = good.slice();
  v9[6] = 9;
  throwsNpy(() => parseNpy(v9, 'x.npy'), /version 9\.0/);
  throwsNpy(() => parseNpy(good.slice(0, 60), 'x.npy'), /unreadable header/);
  throwsNpy(() => parseNpy(good.slice(0, good.length - 1), 'x.npy'), /truncated data.*needs 24 bytes.*has 23/);
  throwsNpy(() => parseNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3"), 'x.npy'), /unreadable header/);
  throwsNpy(() => parseNpy(withHeader("{'descr': '<f4', 'shape': (2,), }"), 'x.npy'), /must have the keys/);
  throwsNpy(() => parseNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }"), 'x.npy'), /shape must be/);
  throwsNpy(() => parseNpy(withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8), 'x.npy'), /unsupported dtype '<c8'/);
  throwsNpy(() => parseNpy(withHeader("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", 12), 'x.npy'), /unsupported dtype/);
  throwsNpy(() => parseNpy(withHeader("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", 8), 'x.npy'), /unsupported dtype/);
  throwsNpy(
    () => parseNpy(withHeader("{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (1,), }", 8), 'x.npy'),
    /structured/,
  );
  throwsNpy(() => parseNpy(withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), } junk"), 'x.npy'), /unreadable header/);
});

test('a version 2.0 hand-made header with python-2 long suffixes parses', () => {
  const b = withHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (2L, 1L), }", 8, 2);
  new DataView(b.buffer).setInt32(b.length - 8, 11, true);
  new DataView(b.buffer).setInt32(b.length - 4, -3, true);
  const a = parseNpy(b);
  assert.equal(a.shape, [2, 1]);
  assert.equal(Array.from(a.data as Int32Array), [11, -3]);
});

test('conversions: npyToFloat32 and npyToInt32 (range and integrality checked)', () => {
  assert.equal(Array.from(npyToFloat32(parseNpy(fixture('be_i8')))), [-2, -1, 0, 1, 2, 3]);
  assert.equal(Array.from(npyToInt32(parseNpy(fixture('be_i8')))), [-2, -1, 0, 1, 2, 3]);
  assert.equal(Array.from(npyToInt32(parseNpy(fixture('u1_4')))), [0, 1, 128, 255]);
  throwsNpy(() => npyToInt32(parseNpy(fixture('f4_2x3')), 'labels.npy'), /value 1\.5 at flat index 0/, 'labels.npy');
  throwsNpy(() => npyToInt32(parseNpy(fixture('u8')), 'labels.npy'), /flat index 0 is not an int32/, 'labels.npy');
});

test('node wrapper: write then read a file; a missing file is an NpyError naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'npy-'));
  try {
    const p = join(dir, 'a.npy');
    await writeNpyFile(p, new Int32Array([3, 1, 4, 1, 5, 9]), [3, 2]);
    const a = await readNpyFile(p);
    assert.equal(a.shape, [3, 2]);
    assert.equal(Array.from(a.data as Int32Array), [3, 1, 4, 1, 5, 9]);
    const missing = join(dir, 'nope.npy');
    await readNpyFile(missing).then(
      () => assert.unreachable('should fail'),
      (e: Error) => {
        assert.is(e.name, 'NpyError');
        assert.is(e.message, `${missing}: no such file`);
      },
    );
    writeFileSync(join(dir, 'bad.npy'), 'hello world, not numpy');
    await readNpyFile(join(dir, 'bad.npy')).then(
      () => assert.unreachable('should fail'),
      (e: Error) => assert.match(e.message, /bad\.npy: not a \.npy file: bad magic/),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
