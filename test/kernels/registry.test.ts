// All kernel families: the bindings wgsl_reflect finds in each WGSL equal the descriptor the
// engine binds by, the WGSL compiles without errors, keys are unique per distinct source, and
// every kernels/*.ts file is in the registry.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { checkBindings, reflectBindings } from '../../engine/index.ts';
import { kernelFamilies } from '../../kernels/registry.ts';
import { testEngine } from '../gpu.ts';

test('every kernels/*.ts family is in the registry', () => {
  const files = readdirSync(new URL('../../kernels/', import.meta.url))
    .filter((f) => f.endsWith('.ts') && !['spec.ts', 'registry.ts'].includes(f))
    .map((f) => f.replace(/\.ts$/, ''));
  assert.equal(files.filter((f) => !(f in kernelFamilies)), [], 'families missing from kernels/registry.ts');
});

test('a kernel that fails validation raises an error at the next readback instead of reading zeros', async () => {
  const rt = await testEngine();
  const { defineKernel, binds } = await import('../../kernels/spec.ts');
  const b = binds('y:read_write');
  // Valid to wgsl_reflect, rejected by Dawn: 'from' is a reserved word in WGSL.
  const bad = defineKernel('test.invalid', () => `@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(1) fn main() { let from = 1.0; y[0] = from; }`, b);
  await rt.scopeAsync(async () => {
    const y = rt.empty([1]);
    rt.dispatch(bad, { y }, [1]);
    let message = '';
    try {
      await y.read();
    } catch (e) {
      message = (e as Error).message;
    }
    assert.match(message, /WebGPU error/);
  });
});

test('a descriptor that differs from its WGSL is refused', () => {
  const spec = kernelFamilies.elementwise!()[0]!;
  assert.throws(() => checkBindings({ ...spec, bindings: [...spec.bindings].reverse() }), /differ/);
});

const seen = new Map<string, string>();
for (const [family, list] of Object.entries(kernelFamilies)) {
  test(`${family}: bindings match the WGSL, it compiles, keys unique`, async () => {
    const rt = await testEngine();
    const specs = list();
    assert.ok(specs.length > 0);
    for (const spec of specs) {
      const prev = seen.get(spec.key);
      assert.ok(prev === undefined || prev === spec.code, `key ${spec.key} names two different sources`);
      seen.set(spec.key, spec.code);
      assert.equal(reflectBindings(spec.code), [...spec.bindings], spec.key);
      const info = await rt.device.createShaderModule({ code: spec.code }).getCompilationInfo();
      const errors = info.messages.filter((m) => m.type === 'error').map((m) => m.message);
      assert.equal(errors, [], spec.key);
    }
  });
}

test.run();
