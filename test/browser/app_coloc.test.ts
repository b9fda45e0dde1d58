// The web app's coloc tab end to end in headless Chromium. An (n, H, W) stack .npy from the
// simulator and its m/z .npy are uploaded through the file input and run: the clusters must equal those of the
// same run in Node on the same Vulkan driver (Chromium's SwiftShader, in a child process; same
// loader code, seed and options); the query, the clusters table and the downloads are checked
// and a screenshot goes to out/browser/web-coloc.png. Then a device lost in the middle of a
// run (the page's test hook destroys the worker's device) must be shown as a GPU error, and a
// second Run must work. Stop is checked on the way. Both are small (16 x 16 network input, a few epochs) for SwiftShader.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, npyToFloat32, npyToInt32, parseNpy } from '../../io/npy.ts';
import { simulateIonStack } from '../../io/simulator.ts';
import { adjustedRandIndex } from '../../model/metrics.ts';
import { buildWeb } from '../../web/build.ts';
import type { ColocRunOptions } from '../../web/messages.ts';
import type { Page } from 'playwright-core';
import { launchChromium, serveFiles, skipWithoutChromium, SWIFTSHADER_ICD } from './chromium.ts';

const full = process.env.MSINET_BROWSER_SUITE === 'full';
// Small enough for SwiftShader; the options the coloc form is set to.
const OPTIONS: ColocRunOptions = { seed: 0, k: 4, epochs: 3, batch: 8, method: 'contrastive', side: 16, selfLabelEpochs: 1, topK: 200, binWidth: 0.01, binUnit: 'da', normalize: 'tic' };

/** The built app on localhost, a Chromium page on its coloc tab and a scratch folder, all cleaned up after fn; page errors fail the test. */
async function withColocTab(fn: (page: Page, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'msinet-coloc-app-'));
  const server = await serveFiles(new Map([...(await buildWeb()).files].map(([k, v]) => ['/' + k, v])));
  const browser = await launchChromium({ webgpu: true });
  const errors: string[] = [];
  try {
    const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1000, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.click('#tab-btn-coloc');
    await fn(page, dir);
    assert.equal(errors, [], 'errors in the page');
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function setOptions(page: Page, o: Partial<Record<keyof ColocRunOptions, string | number | null>>): Promise<void> {
  for (const [k, v] of Object.entries(o)) {
    const sel = `#c-options [name=${k}]`;
    const value = v === null ? 'auto' : String(v);
    if ((await page.locator(sel).evaluate((e) => e.tagName)) === 'SELECT') await page.selectOption(sel, value);
    else await page.fill(sel, value);
  }
}

/** Presses Run and waits for the end; returns the tab's state. */
async function runToEnd(page: Page): Promise<any> {
  await page.click('#c-run');
  await page.waitForFunction(() => ['done', 'error'].includes((globalThis as any).__msinet.coloc.phase), null, { timeout: 20 * 60_000, polling: 500 });
  return coloc(page);
}

const coloc = (page: Page) =>
  page.evaluate(() => {
    const s = (globalThis as any).__msinet.coloc;
    const r = s.result;
    return {
      phase: s.phase, error: s.error, errorKind: s.errorKind, query: s.query,
      result: r && { clusters: Array.from(r.clusters as Int32Array), confidence: Array.from(r.confidence as Float32Array), mz: r.mz && Array.from(r.mz as Float64Array), report: r.report },
    };
  });

interface NodeRun {
  adapter: string;
  clusters: number[];
  confidence: number[];
  embeddings: number[];
  loss: number[];
  k: number;
}

function nodeRun(path: string, driver: 'swiftshader' | 'lavapipe'): NodeRun {
  const env = { ...process.env, ...(driver === 'swiftshader' ? { VK_ICD_FILENAMES: SWIFTSHADER_ICD } : {}) };
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'test/browser/coloc-in-node.ts', path, JSON.stringify(OPTIONS)], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as NodeRun;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

test('coloc tab: (n, H, W) stack uploaded, run, clusters equal the Node run, query, table, downloads', async () => {
  if (!full) return void console.log('  skipped here (slow on SwiftShader): npm run test:browser runs it');
  if (skipWithoutChromium()) return;
  await withColocTab(async (page, dir) => {
    const sim = simulateIonStack({ seed: 4, width: 24, height: 24, images: 16, groups: 4, counts: 200 });
    const path = join(dir, 'images.npy'), mzPath = join(dir, 'mz.npy');
    writeFileSync(path, encodeNpy(sim.images, [sim.n, sim.height, sim.width]));
    writeFileSync(mzPath, encodeNpy(sim.mz, [sim.n]));
    await page.setInputFiles('#c-files', [path, mzPath]);
    assert.match(await page.locator('#c-chosen').innerText(), /images\.npy, m\/z of each image: mz\.npy/);
    await page.selectOption('#c-layout', 'nhw');
    // Stop first: a long run stopped after its first epoch ends with a message and no result.
    await setOptions(page, { ...OPTIONS, epochs: 500 });
    await page.click('#c-run');
    await page.waitForFunction(() => Number(document.querySelector<HTMLProgressElement>('#c-phases div[data-phase=training] progress')?.value) >= 1, null, { timeout: 20 * 60_000, polling: 250 });
    await page.click('#c-stop');
    await page.waitForFunction(() => (globalThis as any).__msinet.coloc.phase !== 'running', null, { timeout: 5 * 60_000, polling: 250 });
    const stopped = await coloc(page);
    assert.is(stopped.errorKind, 'stopped', stopped.error);
    assert.match(await page.locator('#c-error').innerText(), /^Stopped: /);
    assert.ok(await page.locator('#c-results').isHidden(), 'results shown after Stop');

    await setOptions(page, OPTIONS);
    const t0 = performance.now();
    const got = await runToEnd(page);
    const seconds = (performance.now() - t0) / 1000;
    assert.is(got.phase, 'done', got.error);
    const r = got.result;
    console.log(`  browser run: ${r.report.images} images, k ${r.report.k}, ${seconds.toFixed(0)} s (coloc() ${r.report.timings.total.toFixed(1)} s); adapter ${r.report.adapter}`);
    assert.equal(await page.locator('#c-phases div').evaluateAll((d) => d.map((x) => (x as HTMLElement).dataset.phase)), ['training', 'clustering', 'self-labelling']);

    // The same .npy through the same loader and coloc() in Node: on the driver the page runs on
    // the clusters must be equal (and the embeddings, confidences and losses close); on lavapipe
    // (other float rounding) the comparison is only reported.
    const browserEmb = npyToFloat32(parseNpy(new Uint8Array(await download(page, '#c-dl-embeddings'))));
    for (const driver of ['swiftshader', 'lavapipe'] as const) {
      const node = nodeRun(path, driver);
      const same = node.clusters.reduce((k, c, i) => k + (c === r.clusters[i] ? 1 : 0), 0);
      console.log(
        `  Node (${node.adapter}) vs browser: ${same} / ${node.clusters.length} images in the same cluster, ARI ${adjustedRandIndex(node.clusters, r.clusters).toFixed(4)}; ` +
          `largest difference: embedding ${maxDiff(node.embeddings, browserEmb).toExponential(2)}, confidence ${maxDiff(node.confidence, r.confidence).toExponential(2)}, ` +
          `loss ${maxDiff(node.loss, r.report.lossPerEpoch).toExponential(2)}`,
      );
      if (driver === 'swiftshader') {
        assert.equal(r.clusters, node.clusters, "browser clusters differ from Node's on the same driver");
        assert.ok(maxDiff(node.loss, r.report.lossPerEpoch) < 1e-3, 'losses differ');
      }
    }

    // The clusters table: one row per image, with its m/z.
    assert.is(await page.locator('#c-clusters tbody tr').count(), sim.n);
    assert.equal(r.mz, Array.from(sim.mz));
    assert.is(await page.locator('#c-clusters tbody tr:nth-child(3) td:nth-child(2)').innerText(), sim.mz[2]!.toFixed(4));
    // Query by index: 10 rows, best embedding cosine first, the queried image left out.
    await page.fill('#c-query', '#3');
    await page.click('#c-query-go');
    await page.waitForFunction(() => (globalThis as any).__msinet.coloc.query, null, { timeout: 60_000 });
    const q = (await coloc(page)).query;
    assert.match(q.title, new RegExp(`most colocalized with m/z ${sim.mz[3]!.toFixed(4).replace('.', '\\.')} \\(image 3\\), cluster \\d`));
    assert.is(q.rows.length, 10);
    assert.ok(q.rows.every((h: any, i: number) => h.index !== 3 && (i === 0 || q.rows[i - 1].embedding >= h.embedding)), 'sorted, without the query');
    assert.is(await page.locator('#c-query-table tbody tr').count(), 10);
    // A bad query is a message, not an error of the page.
    await page.fill('#c-query', '#99');
    await page.click('#c-query-go');
    await page.waitForFunction(() => (globalThis as any).__msinet.coloc.query?.error, null, { timeout: 60_000 });
    assert.match(await page.locator('#c-query-title').innerText(), /#99: not an image index in 0\.\.15/);

    // Downloads: what the CLI writes.
    const npy = parseNpy(new Uint8Array(await download(page, '#c-dl-clusters-npy')));
    assert.equal(npy.shape, [sim.n]);
    assert.equal(Array.from(npyToInt32(npy)), r.clusters);
    const csv = (await download(page, '#c-dl-clusters-csv')).toString('utf8').trim().split('\n');
    assert.is(csv[0], 'index,mz,cluster,confidence');
    assert.is(csv.length, sim.n + 1);
    assert.equal(csv[5]!.split(',').slice(1, 3).map(Number), [Number(sim.mz[4]!.toFixed(6)), r.clusters[4]]);
    assert.is(browserEmb.length, sim.n * 128);
    const png = await download(page, '#c-dl-montage');
    assert.equal(Array.from(png.subarray(0, 4)), [0x89, 0x50, 0x4e, 0x47]);
    const report = JSON.parse((await download(page, '#c-dl-report')).toString('utf8'));
    assert.is(report.k, 4);
    assert.is(report.lossPerEpoch.length, OPTIONS.epochs);
    assert.is(report.files['montage.png'].sha256, createHash('sha256').update(png).digest('hex'));
    assert.equal(Object.keys(report.files), ['clusters.npy', 'clusters.csv', 'embeddings.npy', 'montage.png']);

    await page.fill('#c-query', sim.mz[3]!.toFixed(2));
    await page.click('#c-query-go');
    await page.waitForFunction(() => !(globalThis as any).__msinet.coloc.query?.error, null, { timeout: 60_000 });
    mkdirSync('out/browser', { recursive: true });
    await page.screenshot({ path: 'out/browser/web-coloc.png', fullPage: true });
  });
});

async function download(page: Page, id: string): Promise<Buffer> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
  return readFileSync((await d.path())!);
}

test('coloc tab: a device lost during a run is a GPU error message, and Run works again', async () => {
  if (skipWithoutChromium()) return;
  await withColocTab(async (page) => {
    // A simulated stack of 12 images; training long enough to be caught in the middle.
    for (const [id, v] of [['#c-sim-images', 12], ['#c-sim-groups', 3], ['#c-sim-size', 16]] as const) await page.fill(id, String(v));
    await page.click('#c-simulated');
    await setOptions(page, { ...OPTIONS, k: 3, epochs: 200, batch: 6 });
    const t0 = performance.now();
    await page.click('#c-run');
    // After the first epoch (the shaders are compiled by then), lose the device.
    await page.waitForFunction(() => Number(document.querySelector<HTMLProgressElement>('#c-phases div[data-phase=training] progress')?.value) >= 1, null, { timeout: 20 * 60_000, polling: 250 });
    await page.evaluate(() => (globalThis as any).__msinet.loseDevice());
    await page.waitForFunction(() => (globalThis as any).__msinet.coloc.phase !== 'running', null, { timeout: 5 * 60_000, polling: 250 });
    const lost = await coloc(page);
    console.log(`  device lost after ${((performance.now() - t0) / 1000).toFixed(0)} s: ${lost.error}`);
    assert.is(lost.phase, 'error');
    assert.is(lost.errorKind, 'gpu');
    const text = await page.locator('#c-error').innerText();
    assert.match(text, /^GPU error: .*the GPU device was lost/);
    assert.match(text, /You can press Run again/);
    assert.not.ok(await page.locator('#c-run').isDisabled(), 'Run stays disabled after a lost device');
    // The segment tab's Run follows too (once it has an input).
    await page.click('#tab-btn-segment');
    await page.click('#simulated');
    assert.not.ok(await page.locator('#run').isDisabled(), "the segment tab's Run stays disabled");
    await page.click('#tab-btn-coloc');

    // A second run, on a fresh device, to the end; then a query by m/z (the simulator's).
    await setOptions(page, { epochs: 2 });
    const t1 = performance.now();
    const again = await runToEnd(page);
    assert.is(again.phase, 'done', again.error);
    console.log(`  second run: ${((performance.now() - t1) / 1000).toFixed(0)} s, ARI against the simulated groups ${again.result.report.scores.contrastive.ari.toFixed(3)}`);
    assert.is(again.result.clusters.length, 12);
    assert.ok(await page.locator('#c-error').isHidden(), 'the error message stays');
    await page.fill('#c-query', String(again.result.mz[5] + 0.001));
    await page.click('#c-query-go');
    await page.waitForFunction(() => (globalThis as any).__msinet.coloc.query, null, { timeout: 60_000 });
    const q = (await coloc(page)).query;
    assert.match(q.title, new RegExp(`m/z ${again.result.mz[5].toFixed(4).replace('.', '\\.')} \\(image 5\\)`));
    assert.is(q.rows.length, 10);
  });
});

test.run();
