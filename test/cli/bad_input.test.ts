// Issue 9, findings 5 and 6 through the real CLI: inputs and options that used to crash with a
// stack trace (exit 2), be misread, or give a misleading message. Every one is now one line
// naming the file or option, exit 1, and (for options) before any input is read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy } from '../../io/npy.ts';
import { writeSmall } from '../io/imzml_helpers.ts';
import { runCli, tempDir, writeCube } from './cli_helpers.ts';

const dir = tempDir();
const cube = writeCube(join(dir, 'cube.npy'), 6, 7);

function userError(args: string[], pattern: RegExp, opts: { cwd?: string } = {}) {
  const r = runCli(args, { timeoutMs: 120_000, ...opts });
  assert.is(r.code, 1, `${args.join(' ')}: exit code (stderr: ${r.err})`);
  assert.match(r.err, pattern);
  assert.not.match(r.err, /internal error|\n\s+at /);
  assert.is(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
  return r;
}

const seg = (...args: string[]) => ['segment', cube, '--out', join(dir, 'never'), '--max-iter', '1', ...args];

test('finding 5: --contrast infonce --temperature 0 is refused up front', () => {
  userError(seg('--contrast', 'infonce', '--temperature', '0'), /^msinet: --temperature must be > 0, got 0$/m);
});

test('finding 5: msinet demo --seed abc / -1 are one-line errors', () => {
  userError(['demo', '--seed', 'abc'], /--seed must be an integer between 0 and 4294967295, got "abc"/);
  userError(['demo', '--seed=-1'], /--seed must be an integer between 0 and 4294967295, got -1/);
});

test('finding 5: an .ibd that is a folder is one line, exit 1 (was EISDIR with a stack)', async () => {
  const w = await writeSmall(dir, 'folder_ibd', { mode: 'processed' });
  rmSync(w.ibd);
  mkdirSync(w.ibd);
  userError(['info', w.imzml], /folder_ibd\.ibd: cannot open \.ibd: is a directory/);
  userError(seg().map((a) => (a === cube ? w.imzml : a)), /folder_ibd\.ibd: cannot open \.ibd: is a directory/);
});

test('finding 6: seeds must be 32-bit integers; numbers must be plain decimals', () => {
  userError(seg('--seed', '4294967296'), /--seed must be an integer between 0 and 4294967295, got 4294967296/);
  userError(seg('--seed', '1e3'), /--seed must be an integer/);
  userError(seg('--max-iter', '0x3'), /--max-iter must be an integer >= 1, got "0x3"/);
  userError(seg('--compactness', '0x10'), /--compactness must be a finite decimal number, got "0x10"/);
  userError(seg('--compactness', ''), /--compactness must be a finite decimal number, got ""/);
});

test('finding 6: imzML binning and masking messages say what happened', async () => {
  const w = await writeSmall(dir, 'proc', { mode: 'processed' });
  userError(seg('--bin-width', '1e-9').map((a) => (a === cube ? w.imzml : a)), /1e-9 Da bins from m\/z 0 make \d+ bins up to m\/z [\d.]+, over the limit of 16777216 bins.*--max-bins/);
  userError(seg('--tic-threshold', '1e12', '--quiet').map((a) => (a === cube ? w.imzml : a)), /every pixel is masked out: no spectrum has a TIC of at least 1000000000000/);
});

test('finding 6: info refuses duplicate pixels as segment does, naming the first', async () => {
  const spectra = [
    { x: 1, y: 1, mz: [100, 200], intensity: [1, 2] },
    { x: 2, y: 1, mz: [100, 200], intensity: [1, 2] },
    { x: 1, y: 1, mz: [100, 200], intensity: [1, 2] },
  ];
  const w = await writeSmall(dir, 'dup', { mode: 'processed' }, spectra);
  const msg = /dup\.imzML: spectrum 2: pixel \(1, 1\) already holds spectrum 0/;
  userError(['info', w.imzml], msg);
  userError(seg().map((a) => (a === cube ? w.imzml : a)), msg);
});

test('finding 6: .npy errors name the file as the user gave it', () => {
  const sub = join(dir, 'sub');
  mkdirSync(sub);
  const bad = new Float32Array(6 * 7 * 3).fill(1);
  bad[4] = NaN;
  writeFileSync(join(sub, 'nan.npy'), encodeNpy(bad, [6, 7, 3]));
  userError(['segment', join(sub, 'nan.npy'), '--out', join(dir, 'o1')], new RegExp(`^msinet: ${join(sub, 'nan.npy')}: value NaN at pixel`));
  userError(['segment', 'sub/nan.npy', '--out', 'o2'], /^msinet: sub\/nan\.npy: value NaN at pixel/, { cwd: dir });
  writeFileSync(join(sub, 'truth.npy'), encodeNpy(new Float32Array(42).fill(0.5), [42]));
  userError(['segment', cube, '--truth', 'sub/truth.npy', '--out', 'o3', '--max-iter', '1'], /^msinet: sub\/truth\.npy: /, { cwd: dir });
});

test('findings 5 and 6: a 2x2 image segments (no silhouette crash), negative values warn, the seed is recorded exactly', () => {
  const x = new Float32Array([0, 1, 5, -1, 0.5, 2, 4, 0, 9, 3, 1, 1]);
  writeFileSync(join(dir, 'tiny.npy'), encodeNpy(x, [2, 2, 3]));
  const out = join(dir, 'tiny-out');
  const r = runCli(['segment', join(dir, 'tiny.npy'), '--out', out, '--max-iter', '2', '--seed', '4294967295', '--quiet']);
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /warning: .*tiny\.npy: 1 negative intensity \(first: row 1, column 0: -1\); kept as they are/);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.is(report.seed, 4294967295);
  assert.is(report.pixels, 4);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
