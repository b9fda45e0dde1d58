// The on-disk kernel cache of `msinet segment` (cli/kernel-cache.ts): where it lives, what it
// keeps, and that anything unusable reads as empty instead of failing a run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelCacheFile, readKernelCache, writeKernelCache } from '../../cli/kernel-cache.ts';
import type { KernelSource } from '../../engine/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'msinet-kcache-'));
const k = (key: string): KernelSource => ({ key, code: `@compute @workgroup_size(1) fn main() {} // ${key}`, entry: 'main', access: ['read'] });

test('the cache file follows MSINET_CACHE_DIR, then XDG_CACHE_HOME', () => {
  assert.is(kernelCacheFile({ MSINET_CACHE_DIR: '/a' }), '/a/kernels.json');
  assert.is(kernelCacheFile({ XDG_CACHE_HOME: '/b' }), '/b/msinet-webgpu/kernels.json');
});

test("round trip: this run's kernels first, then earlier ones not used again; another adapter reads nothing", () => {
  const file = join(dir, 'sub', 'kernels.json');
  writeKernelCache(file, 'adapter A', [k('x'), k('y')], [k('y'), k('z')]);
  assert.equal(readKernelCache(file, 'adapter A').map((s) => s.key), ['x', 'y', 'z']);
  assert.equal(readKernelCache(file, 'adapter B'), []);
  assert.ok(JSON.parse(readFileSync(file, 'utf8')).version === 1);
});

test('a missing, corrupt or foreign file reads as empty; entries without code are dropped', () => {
  assert.equal(readKernelCache(join(dir, 'none.json'), 'A'), []);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{ not json');
  assert.equal(readKernelCache(bad, 'A'), []);
  writeFileSync(bad, JSON.stringify({ version: 1, adapter: 'A', kernels: [k('ok'), { key: 'no code' }] }));
  assert.equal(readKernelCache(bad, 'A').map((s) => s.key), ['ok']);
  writeFileSync(bad, JSON.stringify({ version: 99, adapter: 'A', kernels: [k('ok')] }));
  assert.equal(readKernelCache(bad, 'A'), []);
});

test('a cache that cannot be written is ignored', () => {
  const blocker = join(dir, 'file');
  writeFileSync(blocker, '');
  writeKernelCache(join(blocker, 'kernels.json'), 'A', [k('x')], []); // its folder is a file: no throw
  assert.equal(readKernelCache(join(blocker, 'kernels.json'), 'A'), []);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
