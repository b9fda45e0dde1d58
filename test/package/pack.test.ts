// The installable package: `npm pack` (which builds dist/), install the tarball into a scratch
// folder without dev dependencies (so no tsx, no TypeScript), then (a) run its `msinet` binary
// on a small simulated imzML, (b) import it from a plain Node ESM script, (c) bundle a browser
// entry with esbuild and check that no Node built-in (nor Dawn) ends up in the bundle.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const repo = new URL('../../', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'msinet-pack-'));
const run = (cmd: string, args: string[], cwd = scratch) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } });

test('npm pack builds the package; the tarball installs without dev dependencies', () => {
  const out = run('npm', ['pack', '--json', '--pack-destination', scratch], repo);
  // The prepack build may print before npm's JSON.
  const packed = JSON.parse(out.slice(out.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  const files = packed[0]!.files.map((f) => f.path);
  assert.ok(files.includes('dist/lib/index.js') && files.includes('dist/lib/index.d.ts') && files.includes('dist/cli/main.js'), 'built modules missing from the tarball');
  assert.not.ok(files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), 'TypeScript sources in the tarball');
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', join(scratch, packed[0]!.filename)]);
  assert.not.ok(existsSync(join(scratch, 'node_modules/tsx')), 'tsx was installed');
  assert.ok(existsSync(join(scratch, 'node_modules/msinet-webgpu/dist/engine/index.js')));
});

test('(a) the installed `msinet` segments a small simulated imzML', () => {
  const bin = join(scratch, 'node_modules/.bin/msinet');
  run(bin, ['simulate', '--out', 'sim', '--width', '16', '--height', '12', '--points', '401', '--regions', '3']);
  run(bin, ['segment', 'sim/simulated.imzML', '--out', 'res', '--max-iter', '3', '--top-k', '20', '--quiet']);
  const report = JSON.parse(readFileSync(join(scratch, 'res/report.json'), 'utf8'));
  assert.is(report.height * report.width, 16 * 12);
  assert.equal(report.restarts.map((r: { iterations: number }) => r.iterations), [3, 3, 3], 'three restarts (the default) of --max-iter 3');
  assert.ok(readFileSync(join(scratch, 'res/labels.npy')).length > 16 * 12 * 4, 'labels.npy too short');
});

test('(b) a plain Node ESM script imports the root, ./engine and ./kernels', () => {
  writeFileSync(
    join(scratch, 'use.mjs'),
    `import { createEngine, parseNpy, encodeNpy, adjustedRandIndex } from 'msinet-webgpu';
import { matmul } from 'msinet-webgpu/engine';
import { kernelFamilies } from 'msinet-webgpu/kernels';
const rt = await createEngine();
const y = await matmul(rt.fromData([1, 2, 3, 4], [2, 2]), rt.fromData([1, 1, 1, 1], [2, 2])).read();
const npy = parseNpy(encodeNpy(new Int32Array([1, 2]), [2]));
console.log(JSON.stringify({ y: Array.from(y), shape: npy.shape, ari: adjustedRandIndex([0, 0, 1], [1, 1, 0]), families: Object.keys(kernelFamilies).length }));
await rt.destroy();
`,
  );
  const out = JSON.parse(run(process.execPath, ['use.mjs']).trim().split('\n').pop()!);
  assert.equal(out.y, [3, 3, 7, 7]);
  assert.equal(out.shape, [2]);
  assert.is(out.ari, 1);
  assert.ok(out.families > 10);
});

test('(c) a browser bundle of the package has no Node built-in and no Dawn', async () => {
  writeFileSync(
    join(scratch, 'browser.js'),
    `import { segment, createEngine, openImzmlFromBlobs, preprocessImzml, parseNpy } from 'msinet-webgpu';
import { conv2d } from 'msinet-webgpu/engine';
import { kernelFamilies } from 'msinet-webgpu/kernels';
globalThis.msinet = { segment, createEngine, openImzmlFromBlobs, preprocessImzml, parseNpy, conv2d, kernelFamilies };
`,
  );
  const r = await build({ absWorkingDir: scratch, entryPoints: ['browser.js'], bundle: true, format: 'esm', platform: 'browser', write: false, metafile: true, logLevel: 'silent' });
  const inputs = Object.keys(r.metafile.inputs);
  assert.ok(inputs.some((p) => p.includes('msinet-webgpu/dist/model/segment.js')), 'segment() not bundled from the package');
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const imports = Object.values(r.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path));
  assert.equal(imports.filter((p) => builtins.has(p)), [], 'Node built-ins in the browser bundle');
  assert.not.ok(inputs.some((p) => /node_modules\/webgpu\//.test(p)), 'Dawn (webgpu) in the browser bundle');
  assert.ok(r.outputFiles[0]!.text.length > 100_000);
  // The prebuilt single-file module for a plain <script type="module">: no Node import left in it.
  const single = readFileSync(join(scratch, 'node_modules/msinet-webgpu/dist/browser/msinet.js'), 'utf8');
  assert.not.ok(/["']node:/.test(single), 'a node: import in dist/browser/msinet.js');
  assert.match(single, /export\s*\{/);
});

test('clean up the scratch folder', () => {
  rmSync(scratch, { recursive: true, force: true });
  assert.not.ok(existsSync(scratch));
});

test.run();
