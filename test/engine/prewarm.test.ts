// Saved kernel sources: a runtime lists the kernels it created, and another runtime can create
// their pipelines ahead of use (prewarm); a broken source is skipped without a device error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { add, createEngine, scale, type KernelSource } from '../../engine/index.ts';

test('kernelSources lists each kernel once with its bindings; prewarm makes them in a new runtime and skips a broken one', async () => {
  // Its own runtime: the shared one has run every other test file's kernels, including ones
  // made invalid on purpose, which prewarm rightly skips.
  const rt = await createEngine();
  let sources: KernelSource[];
  try {
    await rt.scopeAsync(async () => {
      const x = rt.fromData([1, 2, 3], [3]);
      await add(scale(x, 2), scale(x, 3)).read();
    });
    sources = rt.kernelSources();
  } finally {
    await rt.destroy();
  }
  const keys = sources.map((s) => s.key);
  assert.ok(sources.length >= 2, `${sources.length} kernels`);
  assert.is(new Set(keys).size, keys.length, 'one entry per kernel');
  for (const s of sources) {
    assert.ok(s.code.includes('@compute'), `${s.key} has its WGSL`);
    assert.ok(s.access.length >= 1 && s.access.every((a) => ['read', 'read_write', 'uniform'].includes(a)), `${s.key}: ${s.access}`);
  }
  const broken: KernelSource = { key: 'broken', code: 'this is not WGSL', entry: 'main', access: ['read'] };
  const fresh = await createEngine();
  try {
    assert.is(await fresh.prewarm([...sources, broken]), sources.length);
    // The broken source left no error behind, and the prewarmed kernels compute as usual.
    const y = await fresh.scopeAsync(async () => Array.from(await add(scale(fresh.fromData([1, 2, 3], [3]), 2), fresh.fromData([1, 1, 1], [3])).read()));
    assert.equal(y, [3, 5, 7]);
  } finally {
    await fresh.destroy();
  }
});

test.run();
