// `npm run build`: the library and CLI as ES modules + .d.ts in dist/ (tsc rewrites the
// sources' .ts imports to .js), so the installed package needs no tsx; plus one browser
// bundle. dist/ is rebuilt from scratch so a deleted source leaves no stale module behind.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
rmSync(new URL('dist/', root), { recursive: true, force: true });
execFileSync(process.execPath, [new URL('node_modules/typescript/bin/tsc', root).pathname, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
// One self-contained ES module of the root entry (dependencies inlined) for a plain
// <script type="module"> with no bundler and no import map: `msinet-webgpu/browser`.
await build({
  entryPoints: [new URL('lib/index.ts', root).pathname],
  outfile: new URL('dist/browser/msinet.js', root).pathname,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  logLevel: 'warning',
  external: ['webgpu'], // engine/device.ts imports Dawn by a variable name, in Node only
});
console.error('build: dist/ written'); // stderr: `npm pack --json` keeps stdout for its JSON
