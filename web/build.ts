// Builds the web app with esbuild: web/index.html, app.js (the page) and worker.js (engine,
// model, io), all relative to each other, so the folder works from any static host.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const here = new URL('./', import.meta.url).pathname;

/** The app's files (name -> contents); written to a folder by `npm run build:web`, served by `npm run web`. */
export async function buildWeb({ minify = true }: { minify?: boolean } = {}): Promise<{ files: Map<string, string>; inputs: string[]; imports: string[] }> {
  const r = await build({
    entryPoints: { app: here + 'app.ts', worker: here + 'worker.ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: '/web',
    write: false,
    minify,
    sourcemap: false,
    logLevel: 'silent',
    metafile: true,
    // engine/device.ts reaches Dawn through a variable import() that only runs in Node.
    external: ['webgpu'],
  });
  const files = new Map<string, string>([['index.html', readFileSync(here + 'index.html', 'utf8')]]);
  for (const f of r.outputFiles) files.set(f.path.replace('/web/', ''), f.text);
  // The bundled source files, and every module specifier they import (tests check that no Node
  // built-in is among them).
  const imports = Object.values(r.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path));
  return { files, inputs: Object.keys(r.metafile.inputs), imports };
}
