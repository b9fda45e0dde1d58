// Issue 9, finding 1 and the imzML parts of finding 6: what a header declares is bounded
// before anything is allocated; m/z arrays must be finite and ascending; a pixel holds one
// spectrum; binning and masking fail with messages that say what happened.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openImzml } from '../../io/imzml/node.ts';
import { DEFAULT_MAX_SPECTRUM_POINTS } from '../../io/imzml/reader.ts';
import { preprocessImzml } from '../../io/preprocess.ts';
import { declaredSpectrum } from './hostile_imzml.ts';
import { readText, rejectsImzml, setNthParam, tempDir, writeSmall } from './imzml_helpers.ts';
import { writeFileSync } from 'node:fs';

const { dir, cleanup } = tempDir();
const over = DEFAULT_MAX_SPECTRUM_POINTS + 1;

test('finding 1: zlib streams of zeros declaring more points than the cap are refused at open', async () => {
  const path = await declaredSpectrum(dir, 'bomb', { points: over, compression: 'zlib' });
  const before = process.memoryUsage().arrayBuffers;
  await rejectsImzml(() => openImzml(path), ['spectrum 0', `declares ${over} points, over the limit of ${DEFAULT_MAX_SPECTRUM_POINTS} points per spectrum`, '--max-spectrum-points']);
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 2 ** 20, 'refused without decoding');
  // Raising the cap reads the same file: the limit is a choice, not a bug.
  const f = await openImzml(path, { maxSpectrumPoints: 2 * over });
  try {
    const s = await f.readSpectrum(0);
    assert.is(s.mz.length, over);
    assert.is(s.intensity[over - 1], 0);
  } finally {
    await f.close();
  }
});

test('finding 1: a sparse 3 GiB .ibd declaring 268,435,455 points is refused without reading it', async () => {
  const path = await declaredSpectrum(dir, 'sparse', { points: 268_435_455, compression: 'none' });
  await rejectsImzml(() => openImzml(path), ['declares 268435455 points, over the limit']);
});

test('finding 1: m/z arrays must be finite and ascending (was: accepted, or "axis differs")', async () => {
  for (const [name, mz, fragment] of [
    ['nan', [100, NaN, 300], 'm/z array: value NaN at point 1 is not finite'],
    ['inf', [100, 200, Infinity], 'value Infinity at point 2 is not finite'],
    ['down', [100, 300, 200], 'm/z array is not in ascending order: point 2 (m/z 200) follows m/z 300'],
  ] as const) {
    // Continuous files share one m/z array; the writer cannot share one holding NaN (NaN != NaN).
    for (const mode of name === 'nan' ? (['processed'] as const) : (['processed', 'continuous'] as const)) {
      const w = await writeSmall(dir, `${name}_${mode}`, { mode }, [
        { x: 1, y: 1, mz: [...mz], intensity: [1, 2, 3] },
        { x: 2, y: 1, mz: [...mz], intensity: [1, 2, 3] },
      ]);
      const f = await openImzml(w.imzml);
      try {
        await rejectsImzml(() => f.readSpectrum(0), ['spectrum 0', fragment]);
        await rejectsImzml(() => preprocessImzml(f), [fragment]);
      } finally {
        await f.close();
      }
    }
  }
});

test('finding 6: duplicate pixel coordinates are refused at open (info and segment agree), naming the first', async () => {
  const w = await writeSmall(dir, 'dup', { mode: 'processed' }, [
    { x: 1, y: 1, mz: [100], intensity: [1] },
    { x: 2, y: 1, mz: [100], intensity: [1] },
    { x: 1, y: 2, mz: [100], intensity: [1] },
    { x: 2, y: 1, mz: [100], intensity: [1] },
  ]);
  await rejectsImzml(() => openImzml(w.imzml), ['spectrum 3: pixel (2, 1) already holds spectrum 1']);
});

test('finding 6: a bin width that would make too many bins says how many and the limit (was "Invalid typed array length")', async () => {
  const w = await writeSmall(dir, 'bins', { mode: 'processed' }, [
    { x: 1, y: 1, mz: [100, 600], intensity: [1, 2] },
    { x: 2, y: 1, mz: [150, 550], intensity: [3, 1] },
  ]);
  const f = await openImzml(w.imzml);
  try {
    await rejectsImzml(() => preprocessImzml(f, { binWidth: 1e-9 }), ['1e-9 Da bins from m/z 0 make', 'bins up to m/z 600, over the limit of 16777216 bins', '--max-bins']);
    await rejectsImzml(() => preprocessImzml(f, { binWidth: 1e-4, maxBins: 1000 }), ['make 5000001 bins', 'limit of 1000 bins']);
    const ok = await preprocessImzml(f, { binWidth: 1e-4 });
    assert.is(ok.nFeatures, 4);
  } finally {
    await f.close();
  }
});

test('finding 6: a TIC threshold above every pixel says that every pixel was masked (was "the input has 0 features")', async () => {
  const w = await writeSmall(dir, 'tic', { mode: 'processed' }, [
    { x: 1, y: 1, mz: [100, 200], intensity: [1, 2] },
    { x: 2, y: 1, mz: [100, 200], intensity: [5, 1] },
  ]);
  const f = await openImzml(w.imzml);
  try {
    await rejectsImzml(() => preprocessImzml(f, { ticThreshold: 1e12 }), ['every pixel is masked out: no spectrum has a TIC of at least 1000000000000 (the largest TIC is 6)']);
  } finally {
    await f.close();
  }
});

test('finding 6: negative intensities are counted (the CLI warns) and kept', async () => {
  const w = await writeSmall(dir, 'neg', { mode: 'processed' }, [
    { x: 1, y: 1, mz: [100, 200], intensity: [1, -2] },
    { x: 2, y: 1, mz: [100, 200], intensity: [-5, 1] },
  ]);
  const f = await openImzml(w.imzml);
  try {
    const fm = await preprocessImzml(f, { normalize: 'none', binWidth: 1 });
    assert.equal(fm.negatives, { count: 2, first: { spectrum: 0, mz: 200, value: -2 } });
    assert.ok(Array.from(fm.features).some((v) => v < 0), 'kept as they are');
  } finally {
    await f.close();
  }
});

test('a grid far larger than its spectra (corrupt coordinates) is refused before per-pixel arrays are allocated', async () => {
  const w = await writeSmall(dir, 'grid', { mode: 'processed' }, [
    { x: 1, y: 1, mz: [100], intensity: [1] },
    { x: 6000, y: 6000, mz: [100], intensity: [2] },
  ]);
  const f = await openImzml(w.imzml);
  try {
    await rejectsImzml(() => preprocessImzml(f), ['grid 6000 x 6000 (36000000 pixels, 2 spectra) is over the limit of 33554432 pixels', '--max-grid-pixels']);
  } finally {
    await f.close();
  }
});

test('the unchanged header of a valid file still reads (the checks reject nothing real)', async () => {
  const w = await writeSmall(dir, 'fine', { mode: 'continuous', compression: 'zlib' });
  writeFileSync(w.imzml, setNthParam(readText(w.imzml), 'IMS:1000050', 0, '1'), 'latin1');
  const f = await openImzml(w.imzml);
  try {
    for (let i = 0; i < f.count; i++) await f.readSpectrum(i);
  } finally {
    await f.close();
  }
});

test.after(cleanup);
test.run();
