// The engine's own test suite in Chromium's WebGPU: the test/kernels and test/engine files
// are bundled for the browser and run there under uvu, with the same tolerances as in Node.
// SwiftShader is slow, so `npm test` runs a representative subset (SUBSET); `npm run
// test:browser` (and CI) sets MSINET_BROWSER_SUITE=full and runs every file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleSuite, suiteFiles } from './suite-bundle.ts';
import { launchChromium, serveFiles, skipWithoutChromium } from './chromium.ts';
import { CHROMIUM_SKIPS } from './uvu-in-chromium.ts';

// One file per kind of kernel: GEMM (tiled and direct), conv, a reduction, a loss with its
// backward, the superpixel vote, and the engine's training loop.
const SUBSET = ['kernels/registry.test.ts', 'kernels/elementwise.test.ts', 'kernels/softmax_xent.test.ts', 'kernels/refine.test.ts', 'engine/host_device.test.ts', 'engine/optim.test.ts'];
// MSINET_BROWSER_SUITE: 'full' = every file; any other value = a regex of files (for debugging).
const choice = process.env.MSINET_BROWSER_SUITE;
const full = choice === 'full';

test(`test/kernels and test/engine (${full ? 'all files' : choice ? `/${choice}/` : 'subset'}) pass in Chromium's WebGPU`, async () => {
  if (skipWithoutChromium()) return;
  const all = suiteFiles(['kernels', 'engine']);
  const files = full ? all : choice ? all.filter((f) => new RegExp(choice).test(f)) : SUBSET;
  assert.equal(files.filter((f) => !all.includes(f)), [], 'subset names a missing file');
  const t0 = performance.now();
  const server = await serveFiles(await bundleSuite(files));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    // Echo uvu's progress as it comes (it writes one console line per mark in a browser).
    const since = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
    page.on('console', (m) => {
      const text = m.text().replace(/\x1b\[[0-9;]*m/g, '');
      // uvu's own totals stay in the page: test/run.ts reads the first "Total:" it sees as Node's.
      if (/^\s*(Total|Passed|Skipped|Duration):/.test(text)) return;
      process.stdout.write(/\.test\.ts/.test(text) ? `\n  [chromium ${since()}] ${text} ` : text);
    });
    page.on('pageerror', (e) => console.log(`  [chromium] page error: ${e.message}`));
    await page.goto(server.url);
    await page.waitForFunction(() => (globalThis as any).__suite, null, { timeout: 60 * 60_000, polling: 1000 });
    const r = await page.evaluate(() => (globalThis as any).__suite);
    assert.not.ok(r.error, r.error);
    const seconds = ((performance.now() - t0) / 1000).toFixed(0);
    console.log(`\n  chromium: ${r.passed}/${r.total} tests passed, ${r.skipped} skipped, ${files.length} files, ${seconds} s; adapter ${r.adapter}`);
    assert.ok(r.total > files.length, `only ${r.total} tests ran`);
    // uvu's Total leaves skipped tests out; only the known ones may be skipped.
    assert.is(r.passed, r.total, `${r.total - r.passed} tests failed in Chromium:\n${r.text}`);
    assert.ok(r.skipped <= Object.keys(CHROMIUM_SKIPS).length, `${r.skipped} tests skipped`);
  } finally {
    await browser.close();
    server.close();
  }
});

test.run();
