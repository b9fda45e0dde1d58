// Issue 9, faults that must be survived: SIGINT / SIGTERM in every phase, the GPU device lost
// during training, the disk full while writing. Each run goes into a folder that already holds
// a complete result set, which must come out byte for byte the same, with nothing partial
// beside it. Faults are injected with MSINET_TEST_FAULT (cli/fault-injection.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, snapshot, startCli, tempDir, writeCube } from './cli_helpers.ts';

const dir = tempDir();
// 5 features so that the reduction (PCA) phase exists too.
const cube = writeCube(join(dir, 'cube.npy'), 6, 8, 5);
const out = join(dir, 'out');
const base = ['segment', cube, '--out', out, '--max-iter', '3', '--min-labels', '1', '--quiet'];

let previous: Record<string, string> = {};

test.before(() => {
  const r = runCli(base);
  if (r.code !== 0) throw new Error(`setting up the previous result set failed: ${r.err}`);
  previous = snapshot(out);
});

function survives(fault: string, expectCode: number, message: RegExp) {
  const r = runCli(base, { env: { MSINET_TEST_FAULT: fault } });
  assert.is(r.code, expectCode, `${fault}: exit code (stderr: ${r.err})`);
  assert.match(r.err, message);
  assert.not.match(r.err, /internal error|\n\s+at /);
  assert.equal(Object.keys(snapshot(out)), Object.keys(previous), `${fault}: no partial files or folders`);
  assert.equal(snapshot(out), previous, `${fault}: the previous result set is unchanged`);
}

test('the previous result set is complete: report.json lists the other files', () => {
  assert.equal(Object.keys(previous), ['confidence.npy', 'confidence.png', 'labels.npy', 'report.json', 'segmentation.png', 'segments.csv']);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.equal(Object.keys(report.files).sort(), ['confidence.npy', 'confidence.png', 'labels.npy', 'segmentation.png', 'segments.csv']);
});

const PHASE_TEXT: Record<string, string> = { reading: 'reading', reducing: 'reducing', training: 'training', writing: 'writing the results' };
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  for (const phase of Object.keys(PHASE_TEXT)) {
    test(`${signal} while ${phase}: exit ${code}, nothing partial, the previous set intact`, () => {
      survives(`signal:${signal}@${phase}`, code, new RegExp(`interrupted by ${signal} while ${PHASE_TEXT[phase]}; no results were written`));
    });
  }
}

test('SIGINT from outside during training (a real signal), and a concurrent run refused meanwhile', async () => {
  const run = startCli(['segment', cube, '--out', out, '--max-iter', '300', '--min-labels', '1']);
  const t0 = Date.now();
  while (!/training( \d+\/\d+)? \[/.test(run.stderr()) && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 100));
  // Finding 4: a second run into the folder while this one trains is refused, naming it.
  const second = runCli(base);
  assert.is(second.code, 1, second.err);
  assert.match(second.err, new RegExp(`is in use by msinet segment \\(pid ${run.child.pid} `));
  run.child.kill('SIGINT');
  const r = await run.done;
  assert.is(r.code, 130, r.err);
  assert.match(r.err, /interrupted by SIGINT while training/);
  assert.equal(snapshot(out), previous);
});

test('the GPU device lost during training: one line naming it, exit 1, the previous set intact', () => {
  survives('device-lost@training', 1, /the GPU device was lost \(destroyed.*\) while training; no results were written \(earlier results in .* are unchanged\)/);
});

test('the disk fills while writing: exit 1, the partial new set removed, the previous set intact', () => {
  survives('enospc@segments.csv', 1, /cannot write .*segments\.csv: no space left on device \(ENOSPC\); the previous results in .* are unchanged/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
