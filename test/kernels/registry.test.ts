// All kernel families: the layout wgsl_reflect reads from each WGSL (bindings, uniform struct,
// workgroup size) agrees with the kernel's spec, the WGSL compiles without errors, keys are
// unique per distinct source, and every kernels/*.ts file is in the registry. Also: a dispatch
// that misses a binding, names one the WGSL lacks or misnames a uniform fails with a clear error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { kernelLayout } from '../../engine/index.ts';
import { binds, defineKernel } from '../../kernels/spec.ts';
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
  // Valid to wgsl_reflect, rejected by Dawn: 'from' is a reserved word in WGSL.
  const bad = defineKernel({
    key: 'test.invalid',
    bindings: binds('y:read_write'),
    workgroup: 1,
    source: (decls) => `${decls}
@compute @workgroup_size(1) fn main() { let from = 1.0; y[0] = from; }`,
  });
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

/** y[i] = x[i] * p.scale + p.shift for i < p.n, with the spec's own declarations. */
const affine = (key: string, source?: string) =>
  defineKernel({
    key,
    bindings: binds('x:read', 'y:read_write', 'p:uniform'),
    uniforms: { n: 'u32', scale: 'f32', shift: 'f32' },
    workgroup: 64,
    source: (decls) =>
      source ??
      `${decls}
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) { let i = gid.x; if (i < p.n) { y[i] = x[i] * p.scale + p.shift; } }`,
  });

async function dispatchError(run: () => void): Promise<string> {
  const rt = await testEngine();
  try {
    rt.scope(run);
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

test('named uniforms are packed at the offsets the WGSL gives them', async () => {
  const rt = await testEngine();
  await rt.scopeAsync(async () => {
    const x = rt.fromData([1, 2, 3, 4, 5], [5]);
    const y = rt.empty([5]);
    // Names in another order than the struct's: packing goes by name, not position.
    rt.dispatch(affine('test.affine'), { p: { shift: 0.5, scale: 2, n: 4 }, y, x }, 4);
    const got = Array.from(await y.read()).slice(0, 4);
    assert.equal(got, [2.5, 4.5, 6.5, 8.5]);
  });
});

test('a misnamed, missing or mistyped uniform is refused with its name', async () => {
  const rt = await testEngine();
  const k = affine('test.affine');
  const x = rt.keep(rt.fromData([1], [1])), y = rt.keep(rt.empty([1]));
  // Casts: these mistakes are type errors in TypeScript; the runtime catches them in JavaScript.
  const bad = (p: object) => dispatchError(() => rt.dispatch(k, { x, y, p } as never, 1));
  assert.match(await bad({ n: 1, scale: 2, shfit: 0 }), /kernel test\.affine: uniform p\.shift \(f32\) is missing/);
  assert.match(await bad({ n: 1, scale: 2, shift: 0, bias: 1 }), /kernel test\.affine: uniform p has no member 'bias' \(members: n, scale, shift\)/);
  assert.match(await bad({ n: -1, scale: 2, shift: 0 }), /uniform p\.n is u32, got -1/);
  x.dispose();
  y.dispose();
});

test('a binding the WGSL declares must be bound, and only those', async () => {
  const rt = await testEngine();
  const k = affine('test.affine');
  const x = rt.keep(rt.fromData([1], [1])), y = rt.keep(rt.empty([1]));
  const p = { n: 1, scale: 1, shift: 0 };
  assert.match(await dispatchError(() => rt.dispatch(k, { x, p }, 1)), /kernel test\.affine: binding 'y' \(@binding\(1\)\) is not bound/);
  assert.match(await dispatchError(() => rt.dispatch(k, { x, y, z: y, p }, 1)), /kernel test\.affine: its WGSL declares no binding 'z' \(bindings: x, y, p\)/);
  assert.match(await dispatchError(() => rt.dispatch(k, { x, y: p, p } as never, 1)), /y is a storage binding, got uniform values/);
  x.dispose();
  y.dispose();
});

test('a hand-written struct or workgroup size that drifted from the spec is refused', () => {
  const wgsl = (struct: string, wg: number) => `${struct}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: P;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u) { y[gid.x] = x[gid.x] * p.scale; }`;
  kernelLayout(affine('test.drift.ok', wgsl('struct P { n: u32, scale: f32, shift: f32 }', 64)));
  assert.throws(() => kernelLayout(affine('test.drift.struct', wgsl('struct P { n: u32, shift: f32, scale: f32 }', 64))), /uniform struct has \{n: u32, shift: f32, scale: f32\}, its spec declares \{n: u32, scale: f32, shift: f32\}/);
  assert.throws(() => kernelLayout(affine('test.drift.wg', wgsl('struct P { n: u32, scale: f32, shift: f32 }', 256))), /@workgroup_size\(256,1,1\), its spec says 64x1x1/);
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
      // The declarations are generated from the spec; reading them back must give the same list.
      assert.equal(kernelLayout(spec).bindings, [...spec.bindings], spec.key);
      const info = await rt.device.createShaderModule({ code: spec.code }).getCompilationInfo();
      const errors = info.messages.filter((m) => m.type === 'error').map((m) => m.message);
      assert.equal(errors, [], spec.key);
    }
  });
}

test.run();
