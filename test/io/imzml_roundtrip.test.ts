// Writer -> reader round trips (every dtype pair, both modes, compressed and not) and the reader
// features exercised through written files: sparse grids, grids from coordinates, param groups,
// the non-standard processed term, case-insensitive .ibd lookup, Blob sources, chunked parsing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openImzmlFromBlobs } from '../../io/imzml/blob-source.ts';
import { bytesSource } from '../../io/imzml/bytes-source.ts';
import { openImzml } from '../../io/imzml/node.ts';
import { openImzmlSources } from '../../io/imzml/reader.ts';
import type { Compression, ImzmlMode, NumericDtype, WriteSpectrum } from '../../io/imzml/types.ts';
import { writeImzml } from '../../io/imzml/writer.ts';
import { parseImzmlHeader } from '../../io/imzml/xml-header.ts';
import { gridSpectra, readText, rejectsImzml, tempDir, writeSmall } from './imzml_helpers.ts';

const DTYPES: NumericDtype[] = ['f32', 'f64', 'i32', 'i64'];
const MODES: ImzmlMode[] = ['continuous', 'processed'];
const COMPRESSIONS: Compression[] = ['none', 'zlib'];

async function assertSameSpectra(path: string, expected: WriteSpectrum[], mode: ImzmlMode): Promise<void> {
  const f = await openImzml(path);
  try {
    assert.is(f.mode, mode);
    assert.is(f.count, expected.length);
    assert.is(f.spectra.length, expected.length);
    for (let i = 0; i < expected.length; i++) {
      const e = expected[i]!;
      const info = f.spectra[i]!;
      assert.is(info.index, i);
      assert.is(info.x, e.x);
      assert.is(info.y, e.y);
      const s = await f.readSpectrum(i);
      // Exact: every test value is an integer below 2^24, representable in all four dtypes.
      assert.equal(Array.from(s.mz), Array.from(e.mz), `spectrum ${i} m/z`);
      assert.equal(Array.from(s.intensity), Array.from(e.intensity), `spectrum ${i} intensity`);
    }
  } finally {
    await f.close();
  }
}

test('round trip: every m/z x intensity dtype pair, both modes, with and without zlib', async () => {
  const { dir, cleanup } = tempDir();
  try {
    let k = 0;
    for (const mode of MODES) {
      const spectra = gridSpectra(mode, 3, 2, 7);
      for (const mzDtype of DTYPES) {
        for (const intensityDtype of DTYPES) {
          for (const compression of COMPRESSIONS) {
            const name = `rt${k++}_${mode}_${mzDtype}_${intensityDtype}_${compression}`;
            const w = await writeSmall(dir, name, { mode, mzDtype, intensityDtype, compression, width: 3, height: 2 }, spectra);
            await assertSameSpectra(w.imzml, spectra, mode);
            const f = await openImzml(w.imzml);
            assert.is(f.spectra[0]!.mz.dtype, mzDtype);
            assert.is(f.spectra[0]!.intensity.dtype, intensityDtype);
            assert.is(f.spectra[0]!.intensity.compression, compression);
            await f.close();
          }
        }
      }
    }
    assert.is(k, 64);
    // Only final files remain: no temporaries from the writer.
    assert.ok(readdirSync(dir).every((n) => /\.(imzML|ibd)$/.test(n)), readdirSync(dir).join(' '));
  } finally {
    cleanup();
  }
});

test('round trip: non-integer values survive f64 exactly and f32 as Math.fround; integer dtypes round', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const mz = [1e-7, 100.123456789012, 250.5, 3141.592653589793]; // ascending, as the reader requires
    const intensity = [0.1, 2.5, 1e30, -7.25];
    const spectra = [{ x: 1, y: 1, mz, intensity }];
    const a = await writeSmall(dir, 'a', { mode: 'processed', mzDtype: 'f64', intensityDtype: 'f32' }, spectra);
    const fa = await openImzml(a.imzml);
    const sa = await fa.readSpectrum(0);
    assert.equal(Array.from(sa.mz), mz);
    assert.equal(Array.from(sa.intensity), intensity.map(Math.fround));
    await fa.close();
    const b = await writeSmall(dir, 'b', { mode: 'processed', mzDtype: 'f32', intensityDtype: 'i32', compression: 'zlib' }, [
      { x: 1, y: 1, mz, intensity: [0.4, 2.5, -7.6, 2147483647] },
    ]);
    const fb = await openImzml(b.imzml);
    const sb = await fb.readSpectrum(0);
    assert.equal(Array.from(sb.mz), mz.map(Math.fround));
    assert.equal(Array.from(sb.intensity), [0, 3, -8, 2147483647]);
    await fb.close();
  } finally {
    cleanup();
  }
});

test('writer: streams an async iterable, writes UUID, SHA-1 and grid params the reader gets back', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const spectra = gridSpectra('processed', 4, 3, 3);
    async function* gen() {
      for (const s of spectra) {
        await new Promise((r) => setTimeout(r, 0));
        yield s;
      }
    }
    const uuid = '{0123456789ABCDEF0123456789abcdef}';
    const res = await writeImzml(join(dir, 'stream.imzML'), gen(), { mode: 'processed', width: 5, height: 4, pixelSize: 20, uuid, compression: 'zlib' });
    assert.is(res.count, spectra.length);
    assert.is(res.uuid, '01234567-89ab-cdef-0123-456789abcdef');
    const ibd = readFileSync(res.ibdPath);
    assert.is(ibd.length, res.ibdBytes);
    assert.is(ibd.subarray(0, 16).toString('hex'), '0123456789abcdef0123456789abcdef');
    const sha1 = createHash('sha1').update(ibd).digest('hex');
    assert.is(res.sha1, sha1);
    const f = await openImzml(res.imzmlPath);
    assert.is(f.uuid, res.uuid);
    assert.is(f.sha1, sha1);
    assert.is(f.width, 5);
    assert.is(f.height, 4);
    assert.is(f.pixelSize, 20);
    assert.is(f.maxX, 4);
    assert.is(f.maxY, 3);
    await f.close();
    await assertSameSpectra(res.imzmlPath, spectra, 'processed');
  } finally {
    cleanup();
  }
});

test('writer: continuous mode stores one m/z array; a differing one is refused and nothing is left behind', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const spectra = gridSpectra('continuous');
    const w = await writeSmall(dir, 'c', { mode: 'continuous', mzDtype: 'f64', intensityDtype: 'f32' }, spectra);
    const f = await openImzml(w.imzml);
    const offsets = new Set(f.spectra.map((s) => s.mz.offset));
    assert.equal([...offsets], [16]);
    // 16-byte UUID + one m/z array (17 x f64) + intensities (17 x f32 each).
    assert.is(f.source.size, 16 + 17 * 8 + spectra.length * 17 * 4);
    await f.close();

    const before = readFileSync(w.ibd);
    const bad = spectra.map((s, i) => (i === 3 ? { ...s, mz: Array.from(s.mz, (v, j) => (j === 5 ? v + 0.5 : v)) } : s));
    await rejectsImzml(() => writeImzml(join(dir, 'c'), bad, { mode: 'continuous' }), ['c.imzML', 'spectrum 3', 'differs', 'point 5']);
    // The earlier pair is untouched and no temporaries remain.
    assert.ok(readFileSync(w.ibd).equals(before));
    assert.equal(readdirSync(dir).sort(), ['c.ibd', 'c.imzML']);
  } finally {
    cleanup();
  }
});

test('writer: refuses bad input with ImzmlError naming the spectrum', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const base = join(dir, 'w');
    const ok = { x: 1, y: 1, mz: [1, 2], intensity: [3, 4] };
    await rejectsImzml(() => writeImzml(base, [ok, { x: 0, y: 1, mz: [1], intensity: [1] }], { mode: 'processed' }), ['spectrum 1', '1-based']);
    await rejectsImzml(() => writeImzml(base, [ok, { x: 2, y: 1, mz: [1, 2], intensity: [1] }], { mode: 'processed' }), ['spectrum 1', '2 values', '1']);
    await rejectsImzml(() => writeImzml(base, [{ x: 4, y: 1, mz: [1], intensity: [1] }], { mode: 'processed', width: 3, height: 3 }), ['spectrum 0', 'outside']);
    await rejectsImzml(() => writeImzml(base, [{ x: 1, y: 1, mz: [1], intensity: [3e9] }], { mode: 'processed', intensityDtype: 'i32' }), ['spectrum 0', 'does not fit i32']);
    await rejectsImzml(() => writeImzml(base, [], { mode: 'processed' }), ['no spectra']);
    await rejectsImzml(() => writeImzml(base, [ok], { mode: 'processed', uuid: 'not-a-uuid' }), ['malformed UUID']);
    assert.equal(readdirSync(dir), []);
  } finally {
    cleanup();
  }
});

test('reader: sparse grid mask, grid from coordinates without max counts, larger of counts and coordinates', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const w = await writeSmall(dir, 'nogrid', { mode: 'processed' }, gridSpectra('processed', 3, 2));
    assert.not.match(readText(w.imzml), 'IMS:1000042');
    const f = await openImzml(w.imzml);
    assert.is(f.width, 3);
    assert.is(f.height, 2);
    // Row-major H x W; (x=2, y=1) is the missing pixel.
    assert.equal(Array.from(f.mask()), [1, 0, 1, 1, 1, 1]);
    await f.close();
    // A max count smaller than the coordinates (as Cardinal writes) does not shrink the grid.
    const small = readText(w.imzml).replace(
      '<scanSettings id="scanSettings1">',
      '<scanSettings id="scanSettings1"><cvParam cvRef="IMS" accession="IMS:1000042" name="max count of pixel x" value="2"/><cvParam cvRef="IMS" accession="IMS:1000043" name="max count of pixel y" value="9"/>',
    );
    writeFileSync(w.imzml, small, 'latin1');
    const g = await openImzml(w.imzml);
    assert.is(g.width, 3);
    assert.is(g.height, 9);
    assert.is(g.mask().length, 27);
    await g.close();
  } finally {
    cleanup();
  }
});

test('reader: mode by IMS:1000032, by a param group defined after fileContent refers to it, or inferred', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const w = await writeSmall(dir, 'm', { mode: 'processed' });
    const xml = readText(w.imzml);
    const open = async (text: string) => {
      writeFileSync(w.imzml, text, 'latin1');
      const f = await openImzml(w.imzml);
      await f.close();
      return f.mode;
    };
    assert.is(await open(xml.replace('IMS:1000031', 'IMS:1000032')), 'processed');
    // fileContent refers to a group that the group list defines later.
    const viaGroup = xml
      .replace(/<cvParam cvRef="IMS" accession="IMS:1000031"[^>]*\/>/, '<referenceableParamGroupRef ref="modeGroup"/>')
      .replace('<referenceableParamGroupList count="4">', '<referenceableParamGroupList count="5"><referenceableParamGroup id="modeGroup"><cvParam cvRef="IMS" accession="IMS:1000030" name="whatever the name" value=""/></referenceableParamGroup>');
    assert.is(await open(viaGroup), 'continuous');
    // No mode term: distinct m/z offsets mean processed.
    assert.is(await open(xml.replace(/<cvParam cvRef="IMS" accession="IMS:1000031"[^>]*\/>/, '')), 'processed');
    // Matching is by accession: a wrong name does not matter, a wrong accession is not a mode.
    assert.is(await open(xml.replace('name="processed"', 'name="continuous"')), 'processed');
  } finally {
    cleanup();
  }
});

test('reader: .ibd found case-insensitively beside a lower-case .imzml', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const w = await writeSmall(dir, 'Case', { mode: 'continuous' });
    renameSync(w.ibd, join(dir, 'Case.IBD'));
    renameSync(w.imzml, join(dir, 'Case.imzml'));
    const f = await openImzml(join(dir, 'Case.imzml'));
    assert.ok(f.source.name.endsWith('Case.IBD'));
    assert.is((await f.readSpectrum(2)).intensity.length, 17);
    await f.close();
  } finally {
    cleanup();
  }
});

test('reader: Blob sources (browser path) and tiny parse chunks give the same spectra', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const w = await writeSmall(dir, 'blob', { mode: 'processed', compression: 'zlib', intensityDtype: 'f64' });
    const xml = readFileSync(w.imzml);
    const ibd = readFileSync(w.ibd);
    const f = await openImzmlFromBlobs(new File([xml], 'blob.imzML'), new Blob([ibd]));
    assert.is(f.headerSource.name, 'blob.imzML');
    assert.is(f.count, w.spectra.length);
    for (let i = 0; i < f.count; i++) {
      assert.equal(Array.from((await f.readSpectrum(i)).intensity), Array.from(w.spectra[i]!.intensity));
    }
    // 7-byte chunks split tags, attributes and numbers across writes to the SAX parser.
    const whole = await parseImzmlHeader(bytesSource('h', xml));
    const chunked = await parseImzmlHeader(bytesSource('h', xml), 7);
    assert.is(chunked.table.count, whole.table.count);
    assert.equal(Array.from(chunked.table.intOffset), Array.from(whole.table.intOffset));
    assert.equal(Array.from(chunked.table.x), Array.from(whole.table.x));
  } finally {
    cleanup();
  }
});

test('reader: sources whose bytes are unaligned Buffer views still decode', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const w = await writeSmall(dir, 'odd', { mode: 'processed', mzDtype: 'f64', intensityDtype: 'i64' });
    // A Buffer view at an odd byte offset: Buffer#slice would not copy, so alignment must.
    const ibd = Buffer.concat([Buffer.from([0]), readFileSync(w.ibd)]).subarray(1);
    const f = await openImzmlSources(bytesSource('odd.imzML', readFileSync(w.imzml)), bytesSource('odd.ibd', ibd));
    for (let i = 0; i < f.count; i++) {
      const s = await f.readSpectrum(i);
      assert.equal(Array.from(s.mz), Array.from(w.spectra[i]!.mz));
      assert.equal(Array.from(s.intensity), Array.from(w.spectra[i]!.intensity));
    }
  } finally {
    cleanup();
  }
});

test('reader: ISO-8859-1 header with a non-ASCII character', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const w = await writeSmall(dir, 'latin', { mode: 'processed' });
    const xml = readText(w.imzml)
      .replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
      .replace('<run defaultInstrumentConfigurationRef="IC1" id="run1">', '<run defaultInstrumentConfigurationRef="IC1" id="run\u00e9">');
    const f = await openImzmlSources(bytesSource('latin.imzML', Buffer.from(xml, 'latin1')), bytesSource('latin.ibd', readFileSync(w.ibd)));
    assert.is(f.count, w.spectra.length);
  } finally {
    cleanup();
  }
});

test('spectra: a read-only lazy array that behaves like SpectrumInfo[]', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const w = await writeSmall(dir, 'lazy', { mode: 'processed' });
    const f = await openImzml(w.imzml);
    const s = f.spectra;
    assert.ok(Array.isArray(s));
    assert.is(s.length, 5);
    assert.is(s[5], undefined);
    assert.ok(2 in s);
    assert.not.ok(5 in s);
    assert.equal(s.map((i) => [i.x, i.y]), [[1, 1], [3, 1], [1, 2], [2, 2], [3, 2]]);
    assert.equal([...s].map((i) => i.index), [0, 1, 2, 3, 4]);
    assert.is(s.slice(1, 3).length, 2);
    assert.is(Object.keys(s).length, 5);
    const json = JSON.parse(JSON.stringify(s)) as { intensity: { length: number } }[];
    assert.is(json[1]!.intensity.length, 0);
    assert.throws(() => {
      (s as unknown[])[0] = null;
    });
    assert.is(f.spectra, s);
    await f.close();
  } finally {
    cleanup();
  }
});

test.run();
