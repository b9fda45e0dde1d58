// The web app end to end in headless Chromium: upload a simulated imzML pair through the file
// input, Run, wait for the end; the labels must equal those of the same run in Node on the same
// driver (same loader code, seed and options); the downloads must hold those labels; hover and
// the ion image work; a screenshot goes to out/browser/web-app.png. A bad input must give a
// message (and Run again), and a Chromium without WebGPU the message on how to enable it. The
// app run is slow on SwiftShader: `npm test` runs the other two, `npm run test:browser`
// (MSINET_BROWSER_SUITE=full) all three.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, parseNpy, npyToInt32 } from '../../io/npy.ts';
import { simulateMsi } from '../../io/simulator.ts';
import { writeSimulation } from '../../io/simulator-node.ts';
import { adjustedRandIndex } from '../../model/metrics.ts';
import { buildWeb } from '../../web/build.ts';
import type { RunOptions } from '../../web/messages.ts';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium, serveFiles, skipWithoutChromium, SWIFTSHADER_ICD } from './chromium.ts';

const full = process.env.MSINET_BROWSER_SUITE === 'full';
// Small enough for SwiftShader; options the page's form is set to.
const OPTIONS: RunOptions = { seed: 0, maxIter: 3, minLabels: 4, restarts: 2, refine: 1, superpixels: 'felzenszwalb', reduce: 'pca', contrast: 'patch', topK: 40, binWidth: 0.01, binUnit: 'da', normalize: 'tic', sqrt: true };

/** The built app on localhost, a Chromium page open on it and a scratch folder, all cleaned up after fn. */
async function withAppPage(opts: { webgpu: boolean; page?: BrowserContextOptions }, fn: (page: Page, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'msinet-app-'));
  const server = await serveFiles(new Map([...(await buildWeb()).files].map(([k, v]) => ['/' + k, v])));
  const browser = await launchChromium({ webgpu: opts.webgpu });
  try {
    const page = await browser.newPage(opts.page);
    page.on('pageerror', (e) => console.log(`  [chromium] page error: ${e.message}`));
    await page.goto(server.url);
    await fn(page, dir);
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface NodeRun {
  adapter: string;
  labels: number[];
  loss: number[];
  iterations: number;
}

/** segment() in a Node child process, on Chromium's SwiftShader or the default (lavapipe). */
function nodeRun(paths: string[], driver: 'swiftshader' | 'lavapipe'): NodeRun {
  const env = { ...process.env, ...(driver === 'swiftshader' ? { VK_ICD_FILENAMES: SWIFTSHADER_ICD } : {}) };
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'test/browser/segment-in-node.ts', ...paths, JSON.stringify(OPTIONS)], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.trim().split('\n').pop()!) as NodeRun;
}

test('web app: simulated imzML uploaded, run, labels equal the Node run, downloads, hover, ion image', async () => {
  if (!full) return void console.log('  skipped here (slow on SwiftShader): npm run test:browser runs it');
  if (skipWithoutChromium()) return;
  await withAppPage({ webgpu: true, page: { acceptDownloads: true, viewport: { width: 1000, height: 900 } } }, async (page, dir) => {
    await writeSimulation(dir, simulateMsi({ seed: 3, width: 20, height: 16, regions: 3, mode: 'processed' }));
    const paths = [join(dir, 'simulated.imzML'), join(dir, 'simulated.ibd')];
    await page.setInputFiles('#files', paths);
    for (const [k, v] of Object.entries(OPTIONS)) {
      const sel = `#options [name=${k}]`;
      const kind = await page.locator(sel).evaluate((e) => (e instanceof HTMLInputElement && e.type === 'checkbox' ? 'checkbox' : e.tagName));
      if (kind === 'SELECT') await page.selectOption(sel, String(v));
      else if (kind === 'checkbox') await page.setChecked(sel, v === true);
      else await page.fill(sel, String(v));
    }
    const t0 = performance.now();
    await page.click('#run');
    await page.waitForFunction(() => ['done', 'error'].includes((globalThis as any).__msinet.phase), null, { timeout: 30 * 60_000, polling: 1000 });
    const seconds = (performance.now() - t0) / 1000;
    const got = await page.evaluate(() => {
      const s = (globalThis as any).__msinet;
      return { phase: s.phase, error: s.error, labels: s.result && Array.from(s.result.labels as Int32Array), report: s.result?.report };
    });
    assert.is(got.phase, 'done', got.error);
    console.log(`  browser run: ${got.report.iterations} iterations, ${got.report.labels} labels, ${seconds.toFixed(0)} s; adapter ${got.report.adapter}`);

    // The same input through the same loader and segment() in Node: on the Vulkan driver the
    // page runs on (Chromium's SwiftShader, in a child process), the labels must be equal; on
    // lavapipe (this process), other float rounding (exp, fused multiply-adds) changes argmax
    // ties over the iterations, so that comparison is only reported.
    const swiftshader = nodeRun(paths, 'swiftshader');
    const lavapipe = nodeRun(paths, 'lavapipe');
    for (const node of [swiftshader, lavapipe]) {
      const same = node.labels.reduce((k, l, i) => k + (l === got.labels[i] ? 1 : 0), 0);
      const loss = Math.max(...node.loss.map((l, i) => Math.abs(l - got.report.loss[i]) / Math.abs(l)));
      console.log(
        `  Node (${node.adapter}) vs browser: ${same} / ${node.labels.length} pixels with the same label, ARI ` +
          `${adjustedRandIndex(node.labels, got.labels).toFixed(4)}; iterations ${node.iterations} vs ${got.report.iterations}; ` +
          `largest relative loss difference ${loss.toExponential(2)} (iteration 1: ${Math.abs(node.loss[0]! / got.report.loss[0] - 1).toExponential(2)})`,
      );
    }
    assert.equal(got.labels, swiftshader.labels, "browser labels differ from Node's on the same driver");

    // Downloads: labels.npy holds the labels, segmentation.png is a PNG, report.json the report.
    const download = async (id: string) => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
      return readFileSync((await d.path())!);
    };
    const npy = parseNpy(new Uint8Array(await download('#dl-labels')));
    assert.equal(npy.shape, [16, 20]);
    assert.equal(Array.from(npyToInt32(npy)), got.labels);
    assert.equal(Array.from((await download('#dl-png')).subarray(0, 4)), [0x89, 0x50, 0x4e, 0x47]);
    assert.is(JSON.parse((await download('#dl-report')).toString('utf8')).iterations, got.report.iterations);
    const conf = parseNpy(new Uint8Array(await download('#dl-confidence-npy')));
    assert.equal(conf.shape, npy.shape, 'confidence.npy: one value per pixel');
    assert.ok(Array.from(conf.data as Float32Array).every((v) => v === 0 || v === 0.5 || v === 1), 'fractions of 2 restarts');

    // Hover: the segment under the mouse, with its pixel count.
    const box = (await page.locator('#seg').boundingBox())!;
    await page.mouse.move(box.x + 40, box.y + 40);
    assert.match(await page.locator('#hover').innerText(), /segment \d+: \d+ pixels/);
    // Ion image of the first selected m/z.
    await page.click('#ion-show');
    await page.waitForFunction(() => /^m\/z/.test(document.getElementById('ion-status')!.textContent ?? ''), null, { timeout: 120_000 });
    mkdirSync('out/browser', { recursive: true });
    await page.screenshot({ path: 'out/browser/web-app.png', fullPage: true });
  });
});

test('web app: a bad input is shown as a message and Run works again', async () => {
  if (skipWithoutChromium()) return;
  await withAppPage({ webgpu: true }, async (page, dir) => {
    // A 2-D (pixels x features) matrix with no image size typed in.
    const npy = join(dir, 'matrix.npy');
    writeFileSync(npy, encodeNpy(new Float32Array(12 * 3).map((_, i) => i % 7), [12, 3]));
    await page.setInputFiles('#files', [npy]);
    await page.click('#run');
    await page.waitForSelector('#error:not([hidden])', { timeout: 60_000 });
    assert.match(await page.locator('#error').innerText(), /Cannot read this input: matrix\.npy is a \(12, 3\) matrix: type the image size/);
    assert.not.ok(await page.locator('#run').isDisabled(), 'Run stays disabled after an error');
  });
});

test('web app without WebGPU says so and how to enable it', async () => {
  if (skipWithoutChromium()) return;
  await withAppPage({ webgpu: false }, async (page) => {
    await page.waitForSelector('#no-webgpu:not([hidden])', { timeout: 60_000 });
    const text = await page.locator('#no-webgpu').innerText();
    assert.match(text, /WebGPU/);
    assert.match(text, /enable-unsafe-webgpu/);
    assert.ok(await page.locator('#run').isDisabled(), 'Run is enabled without WebGPU');
  });
});

test.run();
