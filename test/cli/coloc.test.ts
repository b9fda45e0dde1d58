// `msinet coloc` end to end through the real CLI (child processes) on a small simulated stack:
// the five outputs, atomic writing, same seed -> identical clusters.npy, the query mode, and
// the bad inputs of the issue (each exits 1 with one line, no report.json).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, parseNpy } from '../../io/npy.ts';

const bin = new URL('../../bin/msinet.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'msinet-coloc-'));
const stack = join(dir, 'stack');
// Small and quick: 12 images of 16 x 16 in 3 groups, 2 epochs on 16 x 16 inputs.
const fast = ['--epochs', '2', '--side', '16', '--batch', '6', '--self-label-epochs', '1', '--quiet'];

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' }, timeout: 240_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('simulate --stack, then coloc writes clusters.npy/.csv, embeddings.npy, montage.png and report.json', () => {
  const s = run('simulate', '--stack', '--out', stack, '--width', '16', '--height', '16', '--images', '12', '--regions', '3', '--seed', '4');
  assert.is(s.code, 0, s.err);
  const out = join(dir, 'out1');
  const r = run('coloc', join(stack, 'images.npy'), '--layout', 'nhw', '--mz', join(stack, 'mz.npy'), '--truth', join(stack, 'groups.npy'), '--k', '3', '--out', out, ...fast);
  assert.is(r.code, 0, r.err);
  const files = ['clusters.npy', 'clusters.csv', 'embeddings.npy', 'montage.png', 'report.json'];
  assert.equal(readdirSync(out).sort(), [...files].sort());
  assert.not.ok(readdirSync(dir).some((f) => f.startsWith('.msinet-tmp-')), 'no temporary folder left');
  const clusters = parseNpy(readFileSync(join(out, 'clusters.npy')));
  assert.equal(clusters.shape, [12]);
  assert.is(clusters.dtype, 'i4');
  assert.ok(Array.from(clusters.data as Int32Array).every((c) => c >= 0 && c < 3));
  const emb = parseNpy(readFileSync(join(out, 'embeddings.npy')));
  assert.equal(emb.shape, [12, 128]);
  assert.is(emb.dtype, 'f4');
  const csv = readFileSync(join(out, 'clusters.csv'), 'utf8').trim().split('\n');
  assert.is(csv[0], 'index,mz,cluster,confidence');
  assert.is(csv.length, 13);
  const mz = parseNpy(readFileSync(join(stack, 'mz.npy'))).data as Float64Array;
  assert.is(Number(csv[1]!.split(',')[1]), Number(mz[0]!.toFixed(6)));
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.is(report.k, 3);
  assert.is(report.lossPerEpoch.length, 2);
  for (const m of ['contrastive', 'pearson', 'cosine', 'embedding'])
    for (const key of ['ari', 'nmi', 'purity']) assert.type(report.scores[m][key], 'number', `${m} ${key}`);
  for (const key of ['prepare', 'training', 'clustering', 'selfLabel', 'baselines', 'total']) assert.type(report.timings[key], 'number', key);
  assert.match(report.adapter, /\S/);
  assert.type(report.selfLabel.changed, 'number');
  assert.equal(Array.from(readFileSync(join(out, 'montage.png')).subarray(0, 4)), [137, 80, 78, 71]);
});

test('same seed gives an identical clusters.npy; --query prints the 10 nearest images', () => {
  const out = join(dir, 'out2');
  const r = run('coloc', join(stack, 'images.npy'), '--layout', 'nhw', '--k', '3', '--out', out, '--query', '#0', ...fast);
  assert.is(r.code, 0, r.err);
  assert.ok(readFileSync(join(out, 'clusters.npy')).equals(readFileSync(join(dir, 'out1', 'clusters.npy'))), 'identical clusters.npy');
  const lines = r.out.trim().split('\n');
  assert.match(lines[0]!, /most colocalized with image 0/);
  assert.is(lines.length, 12, 'title, header and 10 rows');
  const sims = lines.slice(2).map((l) => Number(l.trim().split(/\s+/)[2]));
  for (let i = 1; i < sims.length; i++) assert.ok(sims[i - 1]! >= sims[i]!, 'sorted by embedding cosine');
});

function expectFailure(args: string[], pattern: RegExp, name: string) {
  const out = join(dir, name);
  const r = run('coloc', ...args, '--out', out, ...fast);
  assert.is(r.code, 1, `exit code (stderr: ${r.err})`);
  assert.match(r.err, pattern);
  assert.is(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
  assert.not.ok(existsSync(join(out, 'report.json')), 'no report.json');
}

test('bad input: 1-image or empty stack, constant images, small images, NaN, bad k', () => {
  const img = (n: number, h: number, w: number, f: (i: number) => number) => Float32Array.from({ length: n * h * w }, (_, i) => f(i));
  writeFileSync(join(dir, 'one.npy'), encodeNpy(img(1, 16, 16, (i) => i % 7), [1, 16, 16]));
  expectFailure([join(dir, 'one.npy'), '--layout', 'nhw'], /at least 2 ion images, got 1/, 'b1');
  writeFileSync(join(dir, 'empty.npy'), encodeNpy(new Float32Array(0), [0, 16, 16]));
  expectFailure([join(dir, 'empty.npy'), '--layout', 'nhw'], /at least 2 ion images, got 0/, 'b2');
  writeFileSync(join(dir, 'const.npy'), encodeNpy(img(3, 16, 16, (i) => (i < 256 ? i % 5 : 2)), [3, 16, 16]));
  expectFailure([join(dir, 'const.npy'), '--layout', 'nhw'], /2 image\(s\) are constant/, 'b3');
  writeFileSync(join(dir, 'small.npy'), encodeNpy(img(4, 7, 9, (i) => i % 5), [4, 7, 9]));
  expectFailure([join(dir, 'small.npy'), '--layout', 'nhw'], /7x9.*at least 8x8/, 'b4');
  const nan = img(3, 16, 16, (i) => i % 11);
  nan[300] = NaN;
  writeFileSync(join(dir, 'nan.npy'), encodeNpy(nan, [3, 16, 16]));
  expectFailure([join(dir, 'nan.npy'), '--layout', 'nhw'], /image 1 has a non-finite value/, 'b5');
  expectFailure([join(stack, 'images.npy'), '--layout', 'nhw', '--k', '13'], /--k must be an integer in \[2, 12\]/, 'b6');
  expectFailure([join(stack, 'images.npy'), '--layout', 'nhw', '--k', '1'], /--k must be an integer in \[2, 12\]/, 'b7');
  expectFailure([join(stack, 'images.npy'), '--layout', 'nhw', '--method', 'magic'], /--method must be/, 'b8');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
