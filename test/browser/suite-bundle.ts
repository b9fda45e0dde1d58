// Builds test files for the browser: one page entry that loads them in order under uvu (as
// test/run.ts does in Node) and reports the totals in `window.__suite`. Code splitting keeps
// each test file a dynamic import, so uvu sees one file at a time, as in Node.
import { readdirSync } from 'node:fs';
import { relative } from 'node:path';
import { build, type Plugin } from 'esbuild';

const testRoot = new URL('../', import.meta.url).pathname;
const repoRoot = new URL('../../', import.meta.url).pathname;

/** Every *.test.ts under test/<dir> for the given dirs, relative to test/, sorted as Node runs them. */
export function suiteFiles(dirs: string[]): string[] {
  return dirs.flatMap((d) =>
    readdirSync(testRoot + d)
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => `${d}/${f}`),
  );
}

/**
 * The page has no file system. test/kernels/registry.test.ts lists kernels/ with readdirSync;
 * this stand-in for node:fs answers from the listing taken at build time.
 */
function fsListingShim(dirs: string[]): Plugin {
  const listings = Object.fromEntries(dirs.map((d) => [d.replace(/\/?$/, '/'), readdirSync(repoRoot + d).sort()]));
  return {
    name: 'fs-listing-shim',
    setup(b) {
      b.onResolve({ filter: /^(node:)?fs$/ }, () => ({ path: 'fs', namespace: 'fs-shim' }));
      b.onLoad({ filter: /.*/, namespace: 'fs-shim' }, () => ({
        contents: `const listings = ${JSON.stringify(listings)};
export function readdirSync(dir) {
  const path = String(dir).replace(/\\/?$/, '/');
  const key = Object.keys(listings).find((k) => path.endsWith('/' + k));
  if (!key) throw new Error('no build-time listing of ' + path + ' in the browser');
  return listings[key].slice();
}`,
        loader: 'js',
      }));
    },
  };
}

/** The test files' `import { test } from 'uvu'` gets uvu-in-chromium.ts (known skips); that file gets uvu. */
function uvuWithSkips(): Plugin {
  const shim = testRoot + 'browser/uvu-in-chromium.ts';
  return {
    name: 'uvu-with-skips',
    setup(b) {
      b.onResolve({ filter: /^uvu$/ }, (args) => (args.importer === shim || args.importer.endsWith('suite-entry.js') || args.importer === '<stdin>' ? undefined : { path: shim }));
    },
  };
}

/** Files of the page: /index.html, /suite.js and its chunks. */
export async function bundleSuite(files: string[]): Promise<Map<string, string>> {
  const entry = `
import { describeAdapter } from '../engine/index.ts';
import { testEngine } from './gpu.ts';
const files = ${JSON.stringify(files)};
const loaders = [${files.map((f) => `() => import(${JSON.stringify('./' + f)})`).join(', ')}];
let text = '';
const log = console.log.bind(console);
// uvu writes with console.log in a browser; keep the text to read the totals back.
console.log = (...a) => { text += a.join(' '); log(...a); };
try {
  globalThis.UVU_DEFER = 1;
  const uvu = await import('uvu');
  const adapter = describeAdapter((await testEngine()).ctx.report);
  for (let i = 0; i < files.length; i++) {
    globalThis.UVU_INDEX = i;
    globalThis.UVU_QUEUE.push([files[i]]);
    await loaders[i]();
  }
  await uvu.exec(false);
  const plain = text.replace(/\\x1b\\[[0-9;]*m/g, '');
  const num = (label) => Number(/\\s*(\\d+)/.exec(plain.split(label)[1] ?? '')?.[1] ?? NaN);
  window.__suite = { adapter, total: num('Total:'), passed: num('Passed:'), skipped: num('Skipped:'), text: plain };
} catch (e) {
  window.__suite = { error: String(e && e.stack || e) };
}`;
  const r = await build({
    stdin: { contents: entry, resolveDir: testRoot, sourcefile: 'suite-entry.js', loader: 'js' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    outdir: '/suite',
    entryNames: 'suite',
    write: false,
    logLevel: 'silent',
    external: ['webgpu'],
    define: { 'process.env.MSINET_HEAVY_TESTS': JSON.stringify(process.env.MSINET_HEAVY_TESTS ?? '') },
    plugins: [fsListingShim(['kernels']), uvuWithSkips()],
  });
  const out = new Map<string, string>();
  for (const f of r.outputFiles) out.set('/' + relative('/suite', f.path), f.text);
  out.set('/index.html', '<!doctype html><meta charset="utf-8"><title>msinet tests</title><script type="module" src="/suite.js"></script>');
  return out;
}
