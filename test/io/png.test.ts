import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { unzlibSync } from 'fflate';
import { crc32, defaultScale, encodePng, labelColors, labelPalette, renderGray, renderLabels, type PngChannels } from '../../io/png.ts';
import { csvField, toCsv } from '../../io/csv.ts';
import { rng } from '../helpers.ts';
import { bitCrc, decodePng } from './png_reader.ts';


test('crc32 matches the standard check value and the bitwise reference', () => {
  // CRC-32/ISO-HDLC check value of ASCII "123456789" is 0xCBF43926.
  assert.is(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.is(crc32(new Uint8Array(0)), 0);
  const r = rng(3);
  const bytes = Uint8Array.from({ length: 1000 }, () => Math.floor(r() * 256));
  assert.is(crc32(bytes), bitCrc(bytes));
  // Incremental use: crc of a whole = crc continued over the second part.
  assert.is(crc32(bytes.subarray(400), crc32(bytes.subarray(0, 400))), crc32(bytes));
});

test('encodePng round trips gray, RGB and RGBA pixels of odd sizes (all filters exercised)', () => {
  const r = rng(11);
  const used = new Set<number>();
  for (const channels of [1, 3, 4] as PngChannels[])
    for (const [w, h] of [[1, 1], [3, 2], [70, 5], [17, 33]] as const) {
      // Mix of smooth gradients (favour Sub/Up/Paeth) and noise (favours None).
      const px = new Uint8Array(w * h * channels);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let c = 0; c < channels; c++)
            px[(y * w + x) * channels + c] = y % 3 === 2 ? Math.floor(r() * 256) : (x * 7 + y * 3 + c * 50) & 0xff;
      const png = encodePng(px, w, h, channels);
      const d = decodePng(png);
      assert.equal([d.width, d.height, d.channels], [w, h, channels]);
      assert.equal(Array.from(d.pixels), Array.from(px), `${w}x${h}x${channels}`);
      const raw = unzlibSync(png.subarray(8 + 25 + 8, png.length - 12 - 4));
      for (let y = 0; y < h; y++) used.add(raw[y * (w * channels + 1)]!);
    }
  assert.ok(used.size >= 3, `several filter types chosen (${[...used]})`);
});

test('encodePng rejects inconsistent sizes', () => {
  assert.throws(() => encodePng(new Uint8Array(5), 2, 2, 1), /needs 4 bytes/);
  assert.throws(() => encodePng(new Uint8Array(0), 0, 0, 3), /bad size/);
});

test('labelPalette: distinct, well-separated colours, none near black', () => {
  for (const n of [2, 4, 8, 12]) {
    const p = labelPalette(n);
    let minDist = Infinity;
    for (let i = 0; i < n; i++) {
      assert.ok(p[i * 3]! + p[i * 3 + 1]! + p[i * 3 + 2]! > 150, `colour ${i} is not near black`);
      for (let j = 0; j < i; j++)
        minDist = Math.min(minDist, Math.hypot(p[i * 3]! - p[j * 3]!, p[i * 3 + 1]! - p[j * 3 + 1]!, p[i * 3 + 2]! - p[j * 3 + 2]!));
    }
    // Measured: 231 (n=2), 100 (4), 52 (8), 47 (12) in RGB units.
    assert.ok(minDist > 40, `n=${n}: closest pair ${minDist.toFixed(1)} apart`);
  }
  // The palette is a prefix sequence: adding labels never recolours the first ones.
  assert.equal(Array.from(labelPalette(12).subarray(0, 12)), Array.from(labelPalette(4)));
});

test('renderLabels: one colour per label by rank, background black, nearest-neighbour upscaling', () => {
  // 2 x 3 map with labels 7, 42, 3 and background -1.
  const labels = Int32Array.from([7, 42, -1, 3, 3, 7]);
  const png = renderLabels(labels, 2, 3, { scale: 4 });
  const d = decodePng(png);
  assert.equal([d.width, d.height, d.channels], [12, 8, 3]);
  const colors = labelColors(labels);
  assert.equal([...colors.keys()], [3, 7, 42], 'labels ranked ascending');
  const pal = labelPalette(3);
  assert.equal(colors.get(3), [pal[0], pal[1], pal[2]]);
  for (let y = 0; y < 8; y++)
    for (let x = 0; x < 12; x++) {
      const l = labels[Math.floor(y / 4) * 3 + Math.floor(x / 4)]!;
      const want = l < 0 ? [0, 0, 0] : colors.get(l)!;
      const i = (y * 12 + x) * 3;
      assert.equal([d.pixels[i], d.pixels[i + 1], d.pixels[i + 2]], want, `pixel ${x},${y}`);
    }
  // Default scale makes a 70-wide image 420 px wide, a 1000-wide one stays 1000.
  assert.is(defaultScale(70), 6);
  assert.is(defaultScale(1000), 1);
  assert.is(decodePng(renderLabels(new Int32Array(70 * 2), 2, 70)).width, 420);
  assert.throws(() => renderLabels(new Int32Array(5), 2, 3), /5 values for a 2 x 3 image/);
  assert.throws(() => renderLabels(new Int32Array(6), 2, 3, { scale: 0 }), /positive integer/);
  assert.throws(() => renderLabels(new Int32Array(6), 2, 3, { scale: 5000 }), /too large/);
});

test('renderGray: linear map min->0, max->255, NaN black, clip quantile', () => {
  const v = [0, 5, 10, NaN, 2.5, 10];
  const d = decodePng(renderGray(v, 2, 3, { scale: 1 }));
  assert.equal([d.width, d.height, d.channels], [3, 2, 1]);
  // (v - 0) / 10 * 255: 0, 127.5 -> 128, 255, NaN -> 0, 63.75 -> 64, 255
  assert.equal(Array.from(d.pixels), [0, 128, 255, 0, 64, 255]);
  const fixed = decodePng(renderGray(v, 2, 3, { scale: 1, min: 5, max: 7.5 }));
  assert.equal(Array.from(fixed.pixels), [0, 0, 255, 0, 0, 255]);
  // 0.5 quantile of the 5 finite sorted values [0, 2.5, 5, 10, 10] is index round(0.5*4)=2 -> 5.
  const clipped = decodePng(renderGray(v, 2, 3, { scale: 1, clip: 0.5 }));
  assert.equal(Array.from(clipped.pixels), [0, 255, 255, 0, 128, 255]);
  // A constant image does not divide by zero.
  assert.equal(Array.from(decodePng(renderGray([3, 3], 1, 2, { scale: 1 })).pixels), [0, 0]);
});

test('csv: quoting of commas, quotes, newlines, surrounding spaces; numbers and empties', () => {
  assert.is(csvField('plain'), 'plain');
  assert.is(csvField('a,b'), '"a,b"');
  assert.is(csvField('say "hi"'), '"say ""hi"""');
  assert.is(csvField('two\nlines'), '"two\nlines"');
  assert.is(csvField(' padded'), '" padded"');
  assert.is(csvField(null), '');
  assert.is(csvField(0.1), '0.1');
  assert.is(csvField(NaN), 'NaN');
  assert.is(csvField(-Infinity), '-Inf');
  assert.is(toCsv([[1, 'x,y'], [2.5, undefined]], ['id', 'name']), 'id,name\n1,"x,y"\n2.5,\n');
  assert.is(toCsv([]), '');
});

test.run();
