// The fuzzer inside `npm test`, on a short budget (FUZZ_SECONDS, default 6): every case must
// give a result or a clear one-line error, within the time and memory bounds of the worker.
// `npm run fuzz -- --minutes 30` is the long run (README, "Bad input").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runFuzz } from './fuzz.ts';

const seconds = Number(process.env.FUZZ_SECONDS ?? 6);

test(`fuzz: .npy reader, imzML reader, option parser for ${seconds} s`, async () => {
  const r = await runFuzz({ budgetMs: seconds * 1000, seed: 20261201 });
  assert.is(r.failure, null, r.failure ? `${r.failure.result.outcome}: ${r.failure.result.detail}` : '');
  assert.ok(r.cases >= 10, `only ${r.cases} cases ran`);
  for (const target of ['npy', 'imzml', 'options']) assert.ok((r.byTarget[target] ?? 0) > 0, `no ${target} case ran`);
});

test('fuzz: the worker bounds are real: a 4 GiB allocation, too much resident memory and a hang are failures', async () => {
  const { WorkerPool } = await import('./pool.ts');
  // Generous time for the memory probes (filling 400 MB takes seconds on loaded cores); a
  // second pool with a short bound for the hang.
  const pool = new WorkerPool({ timeoutMs: 60_000, maxRssMb: 300 });
  const quick = new WorkerPool({ timeoutMs: 1500 });
  try {
    const fine = await pool.run({ target: 'probe', allocateMb: 50, spinMs: 10 });
    assert.is(fine.outcome, 'ok');
    const huge = await pool.run({ target: 'probe', allocateMb: 4096, spinMs: 0 });
    assert.not.ok(huge.ok);
    assert.match(huge.detail ?? '', /allocation failed|Invalid typed array length|Array buffer/);
    const resident = await pool.run({ target: 'probe', allocateMb: 400, spinMs: 0 });
    assert.not.ok(resident.ok);
    assert.is(resident.outcome, 'memory');
    const hang = await quick.run({ target: 'probe', allocateMb: 0, spinMs: 60_000 });
    assert.is(hang.outcome, 'timeout');
    assert.is((await quick.run({ target: 'probe', allocateMb: 1, spinMs: 0 })).outcome, 'ok', 'a fresh worker after the kill');
  } finally {
    pool.stop();
    quick.stop();
  }
});

test.run();
