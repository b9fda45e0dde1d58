// Broken inputs: each must give an ImzmlError whose message names the file at fault, the
// spectrum (when one is at fault) and the problem; `msinet info` must print it and exit 1.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { readFileSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { openImzml } from '../../io/imzml/node.ts';
import { CV } from '../../io/imzml/cv-terms.ts';
import { readText, rejectsImzml, setNthParam, tempDir, writeSmall } from './imzml_helpers.ts';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');

/** `msinet info <path>`: exit code, stdout, stderr. */
async function info(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(repo, 'bin/msinet.js'), 'info', ...args], { cwd: repo });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Opens and reads every spectrum, as `msinet info` does. */
async function readAll(path: string): Promise<void> {
  const f = await openImzml(path);
  try {
    for (let i = 0; i < f.count; i++) await f.readSpectrum(i);
  } finally {
    await f.close();
  }
}

interface Case {
  name: string;
  /** Makes the broken pair from a fresh good one; returns the header path to open. */
  make(p: { imzml: string; ibd: string }): string;
  /** Fragments the message must contain; FILE and IBD stand for the base names. */
  expect: string[];
  zlib?: boolean;
}

const CASES: Case[] = [
  {
    name: 'truncated .ibd',
    make: (p) => {
      truncateSync(p.ibd, readFileSync(p.ibd).length - 10);
      return p.imzml;
    },
    expect: ['IBD', 'spectrum 4', 'intensity array', 'past the end of the file'],
  },
  {
    name: 'offset past the end',
    make: (p) => {
      writeFileSync(p.imzml, setNthParam(readText(p.imzml), CV.externalOffset, 2 * 2 + 1, '999999'));
      return p.imzml;
    },
    expect: ['IBD', 'spectrum 2', 'intensity array (offset 999999', 'past the end of the file'],
  },
  {
    name: 'malformed XML',
    make: (p) => {
      const xml = readText(p.imzml);
      writeFileSync(p.imzml, xml.replace('<binaryDataArrayList count="2">', '<binaryDataArrayList count="2"'));
      return p.imzml;
    },
    expect: ['FILE', 'malformed XML'],
  },
  {
    name: 'truncated XML',
    make: (p) => {
      const xml = readText(p.imzml);
      writeFileSync(p.imzml, xml.slice(0, Math.floor(xml.length * 0.7)));
      return p.imzml;
    },
    expect: ['FILE', 'malformed XML'],
  },
  {
    name: 'unknown dtype accession',
    make: (p) => {
      writeFileSync(p.imzml, readText(p.imzml).replace('accession="MS:1000521"', 'accession="MS:1000999"'));
      return p.imzml;
    },
    expect: ['FILE', 'spectrum 0', 'intensity array', 'no supported binary data type'],
  },
  {
    name: 'unsupported dtype accession (16-bit float)',
    make: (p) => {
      writeFileSync(p.imzml, readText(p.imzml).replace('accession="MS:1000521"', 'accession="MS:1000520"'));
      return p.imzml;
    },
    expect: ['FILE', 'spectrum 0', 'unsupported binary data type MS:1000520'],
  },
  {
    name: 'm/z and intensity lengths differ',
    make: (p) => {
      writeFileSync(p.imzml, setNthParam(readText(p.imzml), CV.externalArrayLength, 3 * 2 + 1, '4'));
      return p.imzml;
    },
    expect: ['FILE', 'spectrum 3', 'm/z array has', 'intensity array has 4'],
  },
  {
    name: 'missing .ibd',
    make: (p) => {
      unlinkSync(p.ibd);
      return p.imzml;
    },
    expect: ['FILE', 'binary file not found', '.ibd'],
  },
  {
    name: 'UUID mismatch',
    make: (p) => {
      const ibd = readFileSync(p.ibd);
      ibd[3]! ^= 0xff;
      writeFileSync(p.ibd, ibd);
      return p.imzml;
    },
    expect: ['IBD', 'UUID', 'does not match', 'FILE'],
  },
  {
    name: 'missing position',
    make: (p) => {
      writeFileSync(p.imzml, readText(p.imzml).replace(/<cvParam[^>]*accession="IMS:1000051"[^>]*\/>/, ''));
      return p.imzml;
    },
    expect: ['FILE', 'spectrum 0', 'position'],
  },
  {
    name: 'corrupt zlib data',
    zlib: true,
    make: (p) => {
      const ibd = readFileSync(p.ibd);
      const off = Number(/accession="IMS:1000102" name="external offset" value="(\d+)"/.exec(readText(p.imzml).split('<spectrum ')[3]!)![1]);
      for (let k = 2; k < 6; k++) ibd[off + k]! ^= 0x5a;
      writeFileSync(p.ibd, ibd);
      return p.imzml;
    },
    expect: ['IBD', 'spectrum 2', 'm/z array', 'zlib'],
  },
];

for (const c of CASES) {
  test(`bad input: ${c.name} -> ImzmlError naming file, spectrum and problem`, async () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = await writeSmall(dir, 'bad', { mode: 'processed', compression: c.zlib ? 'zlib' : 'none' });
      const header = c.make(p);
      const names = (s: string) => (s === 'FILE' ? basename(p.imzml) : s === 'IBD' ? basename(p.ibd) : s);
      await rejectsImzml(() => readAll(header), c.expect.map(names));
    } finally {
      cleanup();
    }
  });
}

test('readSpectrum: index out of range is an ImzmlError', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = await writeSmall(dir, 'r', { mode: 'continuous' });
    const f = await openImzml(p.imzml);
    await rejectsImzml(() => f.readSpectrum(5), ['r.imzML', 'index 5', 'out of range']);
    await rejectsImzml(() => f.readSpectrum(-1), ['out of range']);
    await f.close();
  } finally {
    cleanup();
  }
});

test('msinet info: summary, --json, --spectra; bad input prints "msinet: <message>" and exits 1', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const good = await writeSmall(dir, 'good', { mode: 'processed', width: 4, height: 2, compression: 'zlib', intensityDtype: 'i32' });
    const bad = await writeSmall(dir, 'bad', { mode: 'processed' });
    const ibd = readFileSync(bad.ibd);
    ibd[0]! ^= 1;
    writeFileSync(bad.ibd, ibd);
    const missing = await writeSmall(dir, 'missing', { mode: 'processed' });
    unlinkSync(missing.ibd);

    const [human, json, badRun, missingRun] = await Promise.all([
      info(good.imzml),
      info(good.imzml, '--json', '--spectra'),
      info(bad.imzml),
      info(missing.imzml),
    ]);
    assert.is(human.code, 0, human.stderr);
    assert.match(human.stdout, /mode\s+processed/);
    assert.match(human.stdout, /grid\s+4 x 2/);
    assert.match(human.stdout, /pixels present\s+5 of 8/);
    assert.match(human.stdout, /dtypes\s+m\/z f64, intensity i32/);
    assert.match(human.stdout, /compression\s+m\/z zlib, intensity zlib/);

    assert.is(json.code, 0, json.stderr);
    const s = JSON.parse(json.stdout);
    assert.is(s.mode, 'processed');
    assert.is(s.n_spectra, 5);
    assert.is(s.width, 4);
    assert.is(s.spectra.length, 5);
    const sp = good.spectra;
    sp.forEach((w, i) => {
      assert.is(s.spectra[i].x, w.x);
      assert.is(s.spectra[i].y, w.y);
      assert.is(s.spectra[i].n_points, w.intensity.length);
      assert.is(s.spectra[i].tic, Array.from(w.intensity).reduce((a, b) => a + b, 0));
      assert.is(s.spectra[i].mz_min, w.mz.length ? Math.min(...Array.from(w.mz)) : null);
    });
    assert.is(s.points.min, 0);

    for (const [r, frag] of [
      [badRun, 'does not match'],
      [missingRun, 'binary file not found'],
    ] as const) {
      assert.is(r.code, 1, r.stderr);
      assert.ok(r.stderr.startsWith('msinet: '), r.stderr);
      assert.ok(r.stderr.includes(frag), r.stderr);
      assert.not.ok(r.stderr.includes('internal error'), r.stderr);
      assert.is(r.stderr.trim().split('\n').length, 1, 'one line');
    }
  } finally {
    cleanup();
  }
});

test.run();
