// Issue 9, findings 2 and 3: the output folder is checked (and created) before any input is
// read, every problem is one line and exit 1, and no path makes the program hang.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareOutputDir, removeCreatedFolders } from '../../cli/output-location.ts';
import { runCli, tempDir, writeCube } from './cli_helpers.ts';

const dir = tempDir();
const cube = writeCube(join(dir, 'cube.npy'), 6, 7);
const OUT = { outputs: ['labels.npy', 'report.json'], inputs: [] as string[] };

/** `msinet segment` must fail fast: exit 1, the message, no stack, no training. */
function refused(args: string[], pattern: RegExp) {
  const t0 = Date.now();
  // Without --quiet: reading the input would print a progress line, which must not appear.
  const r = runCli(['segment', cube, '--max-iter', '1', ...args], { timeoutMs: 60_000 });
  assert.is(r.signal, null, `killed by ${r.signal}: the command hung`);
  assert.is(r.code, 1, r.err);
  assert.match(r.err, pattern);
  assert.not.match(r.err, /internal error|\n\s+at /);
  assert.is(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
  assert.not.match(r.err, /reading|adapter|training/, 'refused before reading the input');
  assert.ok(Date.now() - t0 < 30_000, 'fast');
}

test('finding 2: --out under /proc fails at once instead of looping forever', () => {
  refused(['--out', '/proc/x/y'], /--out \/proc\/x\/y: cannot create folder \/proc\/x/);
});

test('finding 2: msinet simulate --out under /proc fails at once too', () => {
  const r = runCli(['simulate', '--out', '/proc/x/y', '--width', '4', '--height', '4'], { timeoutMs: 60_000 });
  assert.is(r.signal, null, 'hung');
  assert.is(r.code, 1, r.err);
  assert.match(r.err, /^msinet: --out \/proc\/x\/y: cannot create folder \/proc\/x/);
});

test('finding 3: --out "" is an error, not the current folder', () => {
  refused(['--out', ''], /--out must name a folder/);
  assert.not.ok(existsSync(join(process.cwd(), 'labels.npy')));
});

test('finding 3: an existing file, a path under a file, a dangling link: one line before reading the input', () => {
  writeFileSync(join(dir, 'afile'), 'x');
  refused(['--out', join(dir, 'afile')], /afile exists and is not a folder/);
  refused(['--out', join(dir, 'afile', 'sub', 'deeper')], /afile is a file, not a folder/);
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
  refused(['--out', join(dir, 'dangling')], /dangling is a symbolic link to something that does not exist/);
});

test('finding 3: an output that would overwrite an input is refused', () => {
  const inputs = join(dir, 'inputs');
  mkdirSync(inputs);
  const labels = writeCube(join(inputs, 'labels.npy'), 6, 7);
  const r = runCli(['segment', labels, '--out', inputs, '--max-iter', '1', '--quiet']);
  assert.is(r.code, 1, r.err);
  assert.match(r.err, /would overwrite the input .*labels\.npy with labels\.npy/);
  assert.equal(readdirSync(inputs), ['labels.npy']);
});

test('prepareOutputDir creates missing levels and removes them again when asked', () => {
  const loc = prepareOutputDir(join(dir, 'new', 'a', 'b'), OUT);
  assert.ok(existsSync(join(dir, 'new', 'a', 'b')));
  assert.equal(loc.created, [join(dir, 'new'), join(dir, 'new', 'a'), join(dir, 'new', 'a', 'b')]);
  removeCreatedFolders(loc);
  assert.not.ok(existsSync(join(dir, 'new')));
});

test('prepareOutputDir keeps created folders that are not empty', () => {
  const loc = prepareOutputDir(join(dir, 'kept', 'x'), OUT);
  writeFileSync(join(dir, 'kept', 'x', 'labels.npy'), 'data');
  removeCreatedFolders(loc);
  assert.ok(existsSync(join(dir, 'kept', 'x', 'labels.npy')));
});

test('finding 3: a read-only parent (permissions are not enforced for root)', () => {
  if (process.getuid?.() === 0) {
    console.log('  skipped: running as root, where read-only permissions do not apply');
    return;
  }
  const ro = join(dir, 'ro');
  mkdirSync(join(ro, 'writable'), { recursive: true });
  chmodSync(ro, 0o555);
  try {
    // A writable --out under a read-only parent works: nothing is created beside it.
    const loc = prepareOutputDir(join(ro, 'writable'), OUT);
    assert.equal(loc.created, []);
    assert.throws(() => prepareOutputDir(join(ro, 'missing'), OUT), /cannot create folder .*permission denied/);
  } finally {
    chmodSync(ro, 0o755);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
