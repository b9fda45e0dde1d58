// An independent PNG reader shared by the PNG tests (png.test.ts, montage.test.ts).
import * as assert from 'uvu/assert';
import { unzlibSync } from 'fflate';

// An independent, deliberately naive PNG reader: bit-by-bit CRC (no table), chunk walk, inflate
// with fflate's decompressor, then undo the five row filters. Enough to prove the encoder's
// output is a valid PNG holding exactly the pixels given.
export function bitCrc(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export function decodePng(png: Uint8Array): { width: number; height: number; channels: number; pixels: Uint8Array; chunks: string[] } {
  assert.equal(Array.from(png.subarray(0, 8)), [137, 80, 78, 71, 13, 10, 26, 10], 'PNG signature');
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let o = 8, width = 0, height = 0, channels = 0;
  const idat: Uint8Array[] = [], chunks: string[] = [];
  while (o < png.length) {
    const len = dv.getUint32(o);
    const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
    chunks.push(type);
    const crc = dv.getUint32(o + 8 + len);
    assert.is(crc, bitCrc(png.subarray(o + 4, o + 8 + len)), `${type} CRC`);
    const data = png.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') {
      assert.is(len, 13);
      const h = new DataView(data.buffer, data.byteOffset, 13);
      width = h.getUint32(0);
      height = h.getUint32(4);
      assert.is(data[8], 8, 'bit depth');
      channels = ({ 0: 1, 2: 3, 6: 4 } as Record<number, number>)[data[9]!]!;
      assert.ok(channels, `colour type ${data[9]}`);
      assert.equal([data[10], data[11], data[12]], [0, 0, 0], 'compression, filter, interlace');
    } else if (type === 'IDAT') idat.push(data);
    o += 12 + len;
  }
  assert.is(o, png.length, 'chunks end exactly at the end of the file');
  assert.is(chunks[0], 'IHDR');
  assert.is(chunks[chunks.length - 1], 'IEND');
  const z = new Uint8Array(idat.reduce((s, d) => s + d.length, 0));
  let p = 0;
  for (const d of idat) {
    z.set(d, p);
    p += d.length;
  }
  const raw = unzlibSync(z);
  const stride = width * channels;
  assert.is(raw.length, (stride + 1) * height, 'inflated size');
  const px = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    assert.ok(f <= 4, `filter type ${f}`);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? px[y * stride + i - channels]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + i]! : 0;
      const c = i >= channels && y > 0 ? px[(y - 1) * stride + i - channels]! : 0;
      const pp = a + b - c, pa = Math.abs(pp - a), pb = Math.abs(pp - b), pc = Math.abs(pp - c);
      const pred = [0, a, b, Math.floor((a + b) / 2), pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f]!;
      px[y * stride + i] = (raw[y * (stride + 1) + 1 + i]! + pred) & 0xff;
    }
  }
  return { width, height, channels, pixels: px, chunks };
}
