// The runtime's sleep-before-wait heuristic (engine/wait.ts) on a simulated clock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WaitClock } from '../../engine/wait.ts';

/** One submit of `n` dispatches at time `t`, done after `work` ms; returns the sleep asked for. */
function step(clock: WaitClock, now: { t: number }, n: number, work: number, key = 'k'): number {
  for (let i = 0; i < n; i++) clock.noteDispatch(key);
  clock.noteSubmit();
  const start = now.t;
  const sleep = clock.sleepMs();
  if (sleep > 0) {
    now.t += sleep;
    clock.noteWoke();
  }
  now.t = Math.max(now.t, start + work) + (sleep > 0 && now.t >= start + work ? 0.5 : 0);
  clock.noteDone();
  return sleep;
}

test('a shape seen twice sleeps 85% of the smaller duration; a one-off slow first step does not count', () => {
  const now = { t: 1000 };
  const clock = new WaitClock(() => now.t);
  step(clock, now, 10, 5000); // compiling
  assert.is(step(clock, now, 10, 100), 0, 'a shape seen once is not slept on');
  const s3 = step(clock, now, 10, 100);
  assert.ok(Math.abs(s3 - 85) < 1e-9, `85% of min(5000, 100): ${s3}`);
});

test('oversleeping shrinks the estimate until the work is seen again', () => {
  const now = { t: 0 };
  const clock = new WaitClock(() => now.t);
  step(clock, now, 4, 200);
  step(clock, now, 4, 200);
  assert.ok(Math.abs(step(clock, now, 4, 200) - 170) < 1e-9);
  // The work gets 4x faster: each sleep overshoots, found done at once, and the next is 30% shorter.
  const a = step(clock, now, 4, 50);
  const b = step(clock, now, 4, 50);
  assert.ok(b < a * 0.75, `shrinks: ${a} -> ${b}`);
  let s = b;
  for (let i = 0; i < 10 && s > 50; i++) s = step(clock, now, 4, 50);
  assert.ok(s <= 50, `back under the true duration: ${s}`);
});

test('different shapes keep their own estimates; nothing is slept before any observation', () => {
  const now = { t: 0 };
  const clock = new WaitClock(() => now.t);
  assert.is(step(clock, now, 3, 30, 'a'), 0);
  step(clock, now, 3, 30, 'a');
  step(clock, now, 50, 500, 'b');
  step(clock, now, 50, 500, 'b');
  assert.ok(Math.abs(step(clock, now, 3, 30, 'a') - 25.5) < 1e-9);
  assert.ok(Math.abs(step(clock, now, 50, 500, 'b') - 425) < 1e-9);
});

test.run();
