// Issue 9: when the GPU device is lost, the runtime rejects the pending and every later call
// with one error that says so, instead of hanging or reading zeros. Uses its own device (the
// shared test device must survive).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, GpuDeviceLostError } from '../../engine/index.ts';

/** Rejects if `p` has not settled within ms: a hang is a failure, not a stuck test run. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} hung for ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

async function rejection(p: Promise<unknown>, what: string): Promise<Error> {
  return within(
    p.then(
      () => {
        throw new Error(`${what}: resolved after the device was lost`);
      },
      (e: Error) => e,
    ),
    10_000,
    what,
  );
}

test('a lost device: pending and later reads reject with GpuDeviceLostError; writes throw it; destroy returns', async () => {
  const rt = await createEngine();
  const a = rt.fromData([1, 2, 3], [3]);
  assert.equal(Array.from(await rt.read(a)), [1, 2, 3]);
  const pending = rt.read(rt.fromData([4, 5], [2]));
  rt.device.destroy();
  const e1 = await rejection(pending, 'read in flight');
  // Whether the in-flight map lost the race or not, the next call knows.
  const e2 = await rejection(rt.read(a), 'read after loss');
  assert.instance(e2, GpuDeviceLostError);
  assert.match(e2.message, /the GPU device was lost \(destroyed/);
  assert.ok(e1 instanceof GpuDeviceLostError || e1 === e2 || /lost|destroyed/i.test(e1.message), e1.message);
  await rejection(rt.sync(), 'sync after loss');
  assert.throws(() => rt.write(a, new Float32Array([7, 8, 9])), /the GPU device was lost/);
  await within(rt.destroy(), 10_000, 'destroy');
});

test('two reads in flight when the device goes: both reject, no unhandled rejection (found by the CLI fault test)', async () => {
  const rt = await createEngine();
  const unhandled: unknown[] = [];
  const note = (e: unknown) => unhandled.push(e);
  // Node reports unhandled rejections on `process`, a page (the browser suite) on the window.
  const proc = (globalThis as { process?: { on(e: string, f: (e: unknown) => void): void; off(e: string, f: (e: unknown) => void): void } }).process;
  const onPage = (ev: Event) => note((ev as PromiseRejectionEvent).reason);
  if (proc) proc.on('unhandledRejection', note);
  else globalThis.addEventListener('unhandledrejection', onPage);
  try {
    const a = rt.fromData([1, 2], [2]), b = rt.fromData([3], [1]);
    await rt.read(a);
    rt.device.destroy();
    const both = Promise.all([rt.read(a), rt.read(b)]);
    const e = await rejection(both, 'two reads');
    assert.instance(e, GpuDeviceLostError);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(unhandled.map(String), []);
  } finally {
    if (proc) proc.off('unhandledRejection', note);
    else globalThis.removeEventListener('unhandledrejection', onPage);
    await within(rt.destroy(), 10_000, 'destroy');
  }
});

test.run();
