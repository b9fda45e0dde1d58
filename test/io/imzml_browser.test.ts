// The browser entry of the imzML reader (io/imzml/index.ts) must bundle for the browser: no
// Node built-in may be reachable from it (node.ts / writer.ts / node-source.ts are Node-only).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { build } from 'esbuild';
import { resolve } from 'node:path';

test('io/imzml/index.ts bundles for the browser with no Node built-ins', async () => {
  const result = await build({
    entryPoints: [resolve(import.meta.dirname, '../../io/imzml/index.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  assert.is(result.errors.length, 0);
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((p) => p.endsWith('io/imzml/reader.ts')));
  assert.ok(inputs.some((p) => p.includes('saxes')));
  assert.not.ok(inputs.some((p) => p.startsWith('node:') || /io\/imzml\/(node|writer|node-source)\.ts$/.test(p)), inputs.join('\n'));
});

test.run();
