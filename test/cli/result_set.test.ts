// Issue 9, finding 4: replacing a result set keeps the previous complete set until the new one
// is complete; a failed or interrupted write leaves no temporary folder; one run per folder.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { recoverResultSet, writeResultSet, type ResultSet } from '../../cli/result-set.ts';
import { acquireRunLock, LOCK_NAME } from '../../cli/run-lock.ts';
import { runCli, snapshot, tempDir, writeCube } from './cli_helpers.ts';

const root = tempDir();
let n = 0;
const fresh = () => {
  const d = join(root, `set${n++}`);
  mkdirSync(d);
  return d;
};

function set(tag: string): ResultSet {
  return {
    files: [
      { name: 'a.bin', data: new Uint8Array([1, 2, 3, tag.length]) },
      { name: 'b.txt', data: `b of ${tag}\n` },
    ],
    commit: { name: 'report.json', data: (files) => JSON.stringify({ tag, files }) },
  };
}

const enospcOn = (victim: string) => async (path: string, data: Uint8Array | string) => {
  if (path.endsWith(victim)) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  await writeFile(path, data);
};

test('writeResultSet writes every file and a commit record listing them with size and SHA-256', async () => {
  const d = fresh();
  const paths = await writeResultSet(d, set('one'));
  assert.equal(paths, ['a.bin', 'b.txt', 'report.json'].map((f) => join(d, f)));
  assert.equal(readdirSync(d).sort(), ['a.bin', 'b.txt', 'report.json']);
  const report = JSON.parse(readFileSync(join(d, 'report.json'), 'utf8'));
  assert.is(report.tag, 'one');
  const b = readFileSync(join(d, 'b.txt'));
  assert.equal(report.files['b.txt'], { bytes: b.length, sha256: createHash('sha256').update(b).digest('hex') });
});

test('disk full while writing the new set: the previous set is untouched, no temporary folder, a clear error', async () => {
  const d = fresh();
  await writeResultSet(d, set('old'));
  const before = snapshot(d);
  for (const victim of ['a.bin', 'b.txt', 'report.json']) {
    const err = await writeResultSet(d, set('new!'), { writeFile: enospcOn(victim) }).then(
      () => null,
      (e: Error) => e,
    );
    assert.ok(err, `${victim}: should fail`);
    assert.is(err!.name, 'UserError');
    assert.match(err!.message, new RegExp(`cannot write .*${victim.replace('.', '\\.')}: no space left on device \\(ENOSPC\\); the previous results in .* are unchanged`));
    assert.equal(snapshot(d), before, `${victim}: previous set intact, nothing left over`);
  }
});

test('a rename that fails in the middle of the switch is undone: the previous set is back, nothing left over', async () => {
  const d = fresh();
  await writeResultSet(d, set('old'));
  const before = snapshot(d);
  for (const failAt of [1, 3, 4, 6]) {
    let n = 0;
    const rename = (from: string, to: string) => {
      if (++n === failAt) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
      renameSync(from, to);
    };
    const err = await writeResultSet(d, set('new!'), { rename }).then(
      () => null,
      (e: Error) => e,
    );
    assert.match(err?.message ?? '', /cannot write the results into .*: input\/output error \(EIO\); the previous results there are unchanged/);
    assert.equal(snapshot(d), before, `rename ${failAt} failed: previous set intact`);
  }
});

test('the staging cleanup handed to an interrupt handler removes the partial set', async () => {
  const d = fresh();
  await writeResultSet(d, set('old'));
  const before = snapshot(d);
  let cleanup: (() => void) | null = null;
  const gate = async (path: string, data: Uint8Array | string) => {
    await writeFile(path, data);
    if (path.endsWith('b.txt')) {
      // What a SIGINT handler does in the middle of writing: clean up, then the process exits.
      cleanup!();
      throw Object.assign(new Error('interrupted'), { code: 'EINTR' });
    }
  };
  await writeResultSet(d, set('new'), { writeFile: gate, onStaging: (c) => c && (cleanup = c) }).catch(() => {});
  assert.equal(snapshot(d), before);
});

test('recoverResultSet puts back a previous set whose replacement was killed mid-commit', () => {
  const d = fresh();
  // State after kill -9 between the moves: old record and one old file moved aside, one new
  // file moved in, the new record not yet; plus a staging folder.
  mkdirSync(join(d, '.msinet-previous-123-ab'));
  writeFileSync(join(d, '.msinet-previous-123-ab', 'report.json'), 'old report');
  writeFileSync(join(d, '.msinet-previous-123-ab', 'a.bin'), 'old a');
  writeFileSync(join(d, 'a.bin'), 'NEW a');
  writeFileSync(join(d, 'b.txt'), 'old b');
  mkdirSync(join(d, '.msinet-staging-123-ab'));
  writeFileSync(join(d, '.msinet-staging-123-ab', 'report.json'), 'new report');
  const did = recoverResultSet(d, 'report.json');
  assert.equal(did.length, 2);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  assert.equal(snapshot(d), { 'a.bin': b64('old a'), 'b.txt': b64('old b'), 'report.json': b64('old report') });
});

test('recoverResultSet leaves a completed commit alone and drops its leftovers', () => {
  const d = fresh();
  writeFileSync(join(d, 'report.json'), 'new report');
  mkdirSync(join(d, '.msinet-previous-9-cd'));
  writeFileSync(join(d, '.msinet-previous-9-cd', 'report.json'), 'old report');
  recoverResultSet(d, 'report.json');
  assert.equal(readdirSync(d), ['report.json']);
  assert.is(readFileSync(join(d, 'report.json'), 'utf8'), 'new report');
});

test('run lock: a second holder is refused while the first lives; released locks can be taken again', () => {
  const d = fresh();
  const lock = acquireRunLock(d, 'segment');
  assert.ok(existsSync(join(d, LOCK_NAME)));
  assert.throws(() => acquireRunLock(d, 'segment'), (e: Error) => e.name === 'UserError' && /is in use by msinet segment \(pid \d+/.test(e.message));
  lock.release();
  assert.not.ok(existsSync(join(d, LOCK_NAME)));
  acquireRunLock(d, 'coloc').release();
  assert.equal(readdirSync(d), []);
});

test('run lock: a lock left by a dead process is taken over', async () => {
  const d = fresh();
  const child = spawn(process.execPath, ['-e', '0']);
  const pid = child.pid!;
  await new Promise((r) => child.on('exit', r));
  writeFileSync(join(d, LOCK_NAME), JSON.stringify({ pid, host: hostname(), started: 'earlier', command: 'segment' }));
  const lock = acquireRunLock(d, 'segment');
  assert.is(JSON.parse(readFileSync(join(d, LOCK_NAME), 'utf8')).pid, process.pid);
  lock.release();
});

test('finding 4 (CLI): a second run into a folder in use is refused before it reads anything', async () => {
  const d = fresh();
  const cube = writeCube(join(root, 'lock-cube.npy'), 5, 6);
  const holder = spawn('sleep', ['30']);
  try {
    writeFileSync(join(d, LOCK_NAME), JSON.stringify({ pid: holder.pid, host: hostname(), started: 'now', command: 'segment' }));
    const r = runCli(['segment', cube, '--out', d, '--max-iter', '1']);
    assert.is(r.code, 1, r.err);
    assert.match(r.err, new RegExp(`${d} is in use by msinet segment \\(pid ${holder.pid} `));
    assert.not.match(r.err, /reading/);
    assert.equal(readdirSync(d), [LOCK_NAME], 'the other run’s lock is left alone');
  } finally {
    holder.kill();
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
