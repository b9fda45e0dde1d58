// The engine and model in a browser: web/smoke.ts is bundled with esbuild, served on
// 127.0.0.1 and run in headless Chromium (Debian's package; WebGPU through SwiftShader). Its
// conv2d forward and weight gradient must match the same computation in this Node process
// (Dawn), and the MSInet pipeline must run. Skips, saying so, where Chromium is not installed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { build } from 'esbuild';
import { launchChromium, serveFiles, skipWithoutChromium } from './chromium.ts';
import { smokeConv } from '../../web/smoke-conv.ts';
import { testEngine } from '../gpu.ts';
import { assertClose } from '../helpers.ts';

test('engine + MSInet pipeline run in headless Chromium and match Node', async () => {
  if (skipWithoutChromium()) return;
  const bundle = await build({
    entryPoints: [new URL('../../web/smoke.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    external: ['webgpu'],
  });
  const js = bundle.outputFiles[0]!.text;
  const html = '<!doctype html><meta charset="utf-8"><title>msinet smoke</title><script type="module" src="/smoke.js"></script>';
  const server = await serveFiles(new Map([['/index.html', html], ['/smoke.js', js]]));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    // ~100 s alone on 2 cores; several times that when other jobs share them.
    await page.waitForFunction(() => (globalThis as any).__msinetSmoke, null, { timeout: 20 * 60_000 });
    const r = await page.evaluate(() => (globalThis as any).__msinetSmoke);
    assert.not.ok(r.error, r.error);
    console.log(`  browser adapter: ${r.adapter}`);
    // The same computation on Dawn in this process.
    const rt = await testEngine();
    const node = await smokeConv(rt);
    // Both sides run Winograd F(4x4, 3x3), whose result is within ~1e-5 x max|output| of the exact
    // one (test/kernels/winograd.test.ts); two drivers round its transforms differently, so the
    // two may differ by about twice that. A wrong kernel is off by the size of the terms.
    const tol = { rtol: 1e-4, absTol: 3e-5 };
    assertClose(r.conv, node.conv, { ...tol, what: 'conv in browser vs Node' });
    assertClose(r.gradW, node.gradW, { ...tol, what: 'dW in browser vs Node' });
    assert.is(r.labels.length, 64);
    assert.ok(r.iterations >= 1 && r.iterations <= 2);
    assert.ok(r.labels.every((l: number) => Number.isInteger(l) && l >= 0));
  } finally {
    await browser.close();
    server.close();
  }
});

test.run();
