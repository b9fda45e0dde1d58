// Conformance: every fixture in ../shared/data/imzml (files from pyimzML, Cardinal, MALDIquant,
// i2nca and the imzML reference examples) against expected.json, computed by an independent
// reader. Per spectrum in document order: x, y, n_points, tic (relative error <= 1e-6),
// mz_min, mz_max; per file: mode, spectrum count, max x / y. The data is never copied here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openImzml } from '../../io/imzml/node.ts';
import { summarizeImzml } from '../../io/imzml/summary.ts';

interface Expected {
  file: string;
  mode: 'continuous' | 'processed';
  n_spectra: number;
  max_x: number;
  max_y: number;
  spectra: { x: number; y: number; n_points: number; tic: number; mz_min: number; mz_max: number }[];
}

const dataDir = resolve(import.meta.dirname, '../../../shared/data/imzml');
const TIC_RTOL = 1e-6;

if (!existsSync(join(dataDir, 'expected.json'))) {
  console.log('imzml_conformance: skipped: ../shared/data not found');
  test.skip('imzML conformance fixtures (skipped: ../shared/data not found)', () => {});
} else {
  const expected = JSON.parse(readFileSync(join(dataDir, 'expected.json'), 'utf8')) as Expected[];

  test('expected.json lists the 12 fixtures', () => {
    assert.is(expected.length, 12);
  });

  for (const e of expected) {
    test(`conformance: ${e.file}`, async () => {
      const f = await openImzml(join(dataDir, e.file));
      try {
        assert.is(f.mode, e.mode, 'mode');
        assert.is(f.count, e.n_spectra, 'spectrum count');
        assert.is(f.maxX, e.max_x, 'max x');
        assert.is(f.maxY, e.max_y, 'max y');
        // The grid holds every coordinate (in these fixtures it is exactly the max coordinates).
        assert.is(f.width, e.max_x, 'grid width');
        assert.is(f.height, e.max_y, 'grid height');
        const s = await summarizeImzml(f, { spectra: true });
        assert.is(s.spectra!.length, e.spectra.length);
        e.spectra.forEach((want, i) => {
          const got = s.spectra![i]!;
          const at = `${e.file} spectrum ${i}`;
          assert.is(got.x, want.x, `${at} x`);
          assert.is(got.y, want.y, `${at} y`);
          assert.is(got.n_points, want.n_points, `${at} n_points`);
          const rel = Math.abs(got.tic - want.tic) / Math.max(Math.abs(want.tic), 1e-300);
          assert.ok(rel <= TIC_RTOL, `${at} tic ${got.tic} vs ${want.tic} (relative error ${rel})`);
          // m/z extremes are stored values converted to f64, so they must match exactly.
          assert.is(got.mz_min, want.mz_min, `${at} mz_min`);
          assert.is(got.mz_max, want.mz_max, `${at} mz_max`);
        });
        // Spot-check the mask against the coordinates.
        const mask = f.mask();
        assert.is(mask.length, f.width * f.height);
        assert.is(mask.reduce((a, b) => a + b, 0), s.pixels_present);
      } finally {
        await f.close();
      }
    });
  }
}

test.run();
