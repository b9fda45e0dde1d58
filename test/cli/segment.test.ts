// `msinet segment` end to end through the real CLI (a child process), on a small image made
// here, plus the bad inputs the issue lists: each must exit 1 with a message naming the
// problem and leave no report.json behind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, parseNpy } from '../../io/npy.ts';
import { Random } from '../../engine/random.ts';
import { parseSegmentOptions } from '../../cli/segment-options.ts';

const bin = new URL('../../bin/msinet.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'msinet-cli-'));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' }, timeout: 240_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** H x W x 3 image: left half one colour, right half another, plus noise. */
function twoRegions(h: number, w: number): { x: Float32Array; truth: Int32Array } {
  const r = new Random(1);
  const x = new Float32Array(h * w * 3), truth = new Int32Array(h * w);
  for (let i = 0; i < h * w; i++) {
    const t = i % w < w / 2 ? 0 : 1;
    truth[i] = t;
    for (let c = 0; c < 3; c++) x[i * 3 + c] = (c === t ? 5 : 1) + r.normal(0, 0.2);
  }
  return { x, truth };
}

const H = 12, W = 14;
const { x, truth } = twoRegions(H, W);
writeFileSync(join(dir, 'x.npy'), encodeNpy(x, [H * W, 3]));
writeFileSync(join(dir, 'cube.npy'), encodeNpy(x, [H, W, 3]));
writeFileSync(join(dir, 'truth.txt'), Array.from(truth, (t) => `"${t}"`).join('\n') + '\n');

test('--help explains the command and --version prints the version', () => {
  const h = run('segment', '--help');
  assert.is(h.code, 0);
  assert.match(h.out, /--superpixels/);
  assert.match(h.out, /--truth/);
  const v = run('--version');
  assert.is(v.code, 0);
  assert.match(v.out.trim(), /^\d+\.\d+\.\d+$/);
});

test('the square root: on by default for imzML spectra (--no-sqrt turns it off), off for .npy unless --sqrt', () => {
  assert.is(parseSegmentOptions('a.imzML', { out: 'o' }).preprocess.transform, 'sqrt');
  assert.is(parseSegmentOptions('a.imzML', { out: 'o', sqrt: false }).preprocess.transform, 'none');
  assert.is(parseSegmentOptions('a.imzML', { out: 'o' }).model.sqrt, false, 'imzML: not a second time in segment()');
  assert.is(parseSegmentOptions('a.npy', { out: 'o' }).model.sqrt, false);
  assert.is(parseSegmentOptions('a.npy', { out: 'o', sqrt: true }).model.sqrt, true);
});

test('--channels sets the network width (default 100), refuses 0', () => {
  assert.is(parseSegmentOptions('a.npy', { out: 'o' }).model.channels, 100);
  assert.is(parseSegmentOptions('a.npy', { out: 'o', channels: '64' }).model.channels, 64);
  assert.throws(() => parseSegmentOptions('a.npy', { out: 'o', channels: '0' }), /channels/);
});

test('segments an (N, C) .npy with --shape and writes the four outputs', () => {
  const out = join(dir, 'out1');
  const r = run('segment', join(dir, 'x.npy'), '--shape', `${H},${W}`, '--out', out, '--max-iter', '3', '--truth', join(dir, 'truth.txt'), '--quiet');
  assert.is(r.code, 0, r.err);
  for (const f of ['labels.npy', 'segmentation.png', 'report.json', 'segments.csv']) assert.ok(existsSync(join(out, f)), f);
  const labels = parseNpy(readFileSync(join(out, 'labels.npy')));
  assert.equal(labels.shape, [H, W]);
  assert.is(labels.dtype, 'i4');
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  const k = report.labels;
  const values = new Set(Array.from(labels.data as Int32Array));
  assert.equal([...values].sort((a, b) => a - b), Array.from({ length: k }, (_, i) => i), 'labels renumbered 0..K-1');
  // Three restarts by default, each up to --max-iter; report.loss is restart 0's curve.
  assert.is(report.restarts.length, 3);
  for (const q of report.restarts) assert.ok(q.iterations >= 1 && q.iterations <= 3);
  assert.is(report.iterations, report.restarts.reduce((a: number, q: { iterations: number }) => a + q.iterations, 0));
  assert.is(report.loss.length, report.restarts[0].iterations);
  for (const key of ['preprocess', 'superpixels', 'training', 'total']) assert.type(report.timings[key], 'number');
  assert.type(report.ari, 'number');
  assert.type(report.nmi, 'number');
  assert.match(report.adapter, /\S/);
  const csv = readFileSync(join(out, 'segments.csv'), 'utf8').trim().split('\n');
  assert.is(csv.length, k + 1);
  assert.match(csv[0]!, /^label,pixels,mean_f0,mean_f1,mean_f2$/);
  const png = readFileSync(join(out, 'segmentation.png'));
  assert.equal(Array.from(png.subarray(0, 8)), [137, 80, 78, 71, 13, 10, 26, 10]);
});

test('--restarts 3: a consensus of three trainings, the confidence map (npy and png), the stability in the report', () => {
  const out = join(dir, 'restarts');
  const r = run('segment', join(dir, 'cube.npy'), '--out', out, '--max-iter', '3', '--restarts', '3', '--min-labels', '2', '--truth', join(dir, 'truth.txt'));
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /training 3\/3/, 'one progress bar per restart');
  assert.match(r.err, /3 restarts, labels \d+\/\d+\/\d+, stability \(mean pairwise ARI\) [-0-9.]+/);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.is(report.restarts.length, 3);
  assert.is(report.restarts[0].seed, 0);
  for (const q of report.restarts) for (const key of ['seed', 'iterations', 'labels', 'agreement', 'ari']) assert.type(q[key], 'number');
  assert.is(report.consensus.method, 'co-association');
  assert.is(report.refinement.beta, 1, 'the boundary refinement runs by default');
  assert.type(report.refinement.ariBefore, 'number');
  assert.ok(report.consensus.stability <= 1);
  assert.ok(report.labels <= 2);
  const conf = parseNpy(readFileSync(join(out, 'confidence.npy')));
  assert.equal(conf.shape, [H, W]);
  assert.is(conf.dtype, 'f4');
  for (const v of conf.data as Float32Array) assert.ok([0, 1 / 3, 2 / 3, 1].some((f) => Math.abs(v - f) < 1e-6), `confidence ${v}`);
  assert.ok(existsSync(join(out, 'confidence.png')));
  assert.ok('confidence.npy' in report.files && 'confidence.png' in report.files, 'listed in the manifest');
});

test('--min-labels auto: picks the number of regions of an obvious image from the restarts; refuses one restart', () => {
  // Three vertical bands, 24 x 24 (on the 12 x 14 image above, trainings stopped at <= 8 labels keep
  // one-column boundary segments that no cut removes; see AUTO_LABELS in model/segment.ts).
  const r3 = new Random(2);
  const bands = new Float32Array(24 * 24 * 3);
  for (let i = 0; i < 24 * 24; i++) for (let c = 0; c < 3; c++) bands[i * 3 + c] = (c === Math.floor((i % 24) / 8) ? 5 : 1) + r3.normal(0, 0.2);
  writeFileSync(join(dir, 'bands.npy'), encodeNpy(bands, [24, 24, 3]));
  const out = join(dir, 'auto');
  const r = run('segment', join(dir, 'bands.npy'), '--out', out, '--max-iter', '40', '--restarts', '3', '--min-labels', 'auto', '--quiet');
  assert.is(r.code, 0, r.err);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.is(report.consensus.auto.picked, 3, JSON.stringify(report.consensus.auto));
  assert.is(report.labels, 3);
  assert.ok(report.consensus.auto.curve.length >= 1);
  expectFailure([join(dir, 'cube.npy'), '--min-labels', 'auto', '--restarts', '1'], /auto.*--restarts 2 or more/, join(dir, 'bad-auto'));
  expectFailure([join(dir, 'cube.npy'), '--restarts', '0'], /restarts/, join(dir, 'bad-restarts'));
  expectFailure([join(dir, 'cube.npy'), '--min-labels', 'many'], /min-labels/, join(dir, 'bad-min-labels'));
});

test('an (H, W, C) cube needs no --shape', () => {
  const r = run('segment', join(dir, 'cube.npy'), '--out', join(dir, 'out2'), '--max-iter', '1', '--quiet');
  assert.is(r.code, 0, r.err);
  assert.equal(parseNpy(readFileSync(join(dir, 'out2', 'labels.npy'))).shape, [H, W]);
});

function expectFailure(args: string[], pattern: RegExp, out: string) {
  // Defaults first: an option repeated in `args` wins (commander keeps the last value).
  const r = run('segment', '--max-iter', '1', '--quiet', '--out', out, ...args);
  assert.is(r.code, 1, `exit code (stderr: ${r.err})`);
  assert.match(r.err, pattern);
  assert.not.match(r.err, /internal error/);
  assert.not.ok(existsSync(join(out, 'report.json')), 'no complete-looking output');
}

test('bad input: missing or wrong --shape', () => {
  expectFailure([join(dir, 'x.npy')], /--shape/, join(dir, 'bad1'));
  expectFailure([join(dir, 'x.npy'), '--shape', '10,10'], /100 pixels.*168 rows/, join(dir, 'bad2'));
  expectFailure([join(dir, 'x.npy'), '--shape', 'ten'], /--shape must be H,W/, join(dir, 'bad3'));
});

test('bad input: NaN / Inf values name the position', () => {
  const y = x.slice();
  y[3 * 3 + 1] = NaN;
  writeFileSync(join(dir, 'nan.npy'), encodeNpy(y, [H * W, 3]));
  expectFailure([join(dir, 'nan.npy'), '--shape', `${H},${W}`], /nan\.npy.*NaN.*row 3, column 1/, join(dir, 'bad4'));
  y[3 * 3 + 1] = Infinity;
  writeFileSync(join(dir, 'inf.npy'), encodeNpy(y, [H * W, 3]));
  expectFailure([join(dir, 'inf.npy'), '--shape', `${H},${W}`], /Infinity/, join(dir, 'bad5'));
});

test('bad input: constant features, 1-pixel image, more superpixels than pixels, unreadable header', () => {
  writeFileSync(join(dir, 'const.npy'), encodeNpy(new Float32Array(H * W * 3).fill(2), [H * W, 3]));
  expectFailure([join(dir, 'const.npy'), '--shape', `${H},${W}`], /constant/, join(dir, 'bad6'));
  writeFileSync(join(dir, 'one.npy'), encodeNpy(new Float32Array([1, 2, 3]), [1, 3]));
  expectFailure([join(dir, 'one.npy'), '--shape', '1,1'], /1 pixel/, join(dir, 'bad7'));
  expectFailure([join(dir, 'x.npy'), '--shape', `${H},${W}`, '--superpixels', 'slic', '--n-segments', '500'], /n-segments 500.*168 pixels/, join(dir, 'bad8'));
  writeFileSync(join(dir, 'junk.npy'), new TextEncoder().encode('\x93NUMPY\x01\x00garbage'));
  expectFailure([join(dir, 'junk.npy'), '--shape', `${H},${W}`], /junk\.npy/, join(dir, 'bad9'));
  expectFailure([join(dir, 'missing.npy'), '--shape', `${H},${W}`], /missing\.npy/, join(dir, 'bad10'));
  expectFailure([join(dir, 'x.npy'), '--shape', `${H},${W}`, '--max-iter', '0'], /--max-iter/, join(dir, 'bad11'));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
