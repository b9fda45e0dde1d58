// The web app's bundle (page + worker) must not pull in a Node built-in or Dawn: engine/,
// model/ and the browser half of io/ are all it may contain.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { builtinModules } from 'node:module';
import { buildWeb } from '../../web/build.ts';

test('the web app bundle has no Node built-in and no Dawn', async () => {
  const { files, inputs, imports } = await buildWeb();
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  assert.equal(imports.filter((p) => builtins.has(p)), []);
  assert.ok(imports.some((p) => p.endsWith('model/segment.ts')), 'segment() is not in the bundle');
  assert.ok(imports.some((p) => p.endsWith('model/coloc/coloc.ts')), 'coloc() is not in the bundle');
  assert.equal([...files.keys()].sort(), ['app.js', 'index.html', 'worker.js']);
  // Dawn is reached only through a variable import() in engine/device.ts, never bundled.
  assert.not.ok(inputs.some((p) => p.includes('node_modules/webgpu/')), 'Dawn in the bundle');
  assert.match(files.get('index.html')!, /src="\.\/app\.js"/);
});

test.run();
