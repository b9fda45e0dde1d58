import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kernelLayout } from '../../engine/index.ts';
import { continuityKernels } from '../../kernels/continuity.ts';
import { gramKernels } from '../../kernels/gram.ts';
import { infonceKernels } from '../../kernels/infonce.ts';
import { patchLossKernels } from '../../kernels/patch_loss.ts';
import { softmaxXentKernels } from '../../kernels/softmax_xent.ts';

// The layout wgsl_reflect reads from each WGSL (uniform struct, workgroup size) must agree with
// the kernel's spec, and keys must be unique per distinct WGSL text (the pipeline cache is
// keyed by them).
test('loss kernels: WGSL layouts match their specs, keys are unique', () => {
  const all = [...softmaxXentKernels(), ...continuityKernels(), ...gramKernels(), ...patchLossKernels(), ...infonceKernels()];
  const byKey = new Map<string, string>();
  for (const k of all) {
    kernelLayout(k);
    const seen = byKey.get(k.key);
    assert.ok(seen === undefined || seen === k.code, `key ${k.key} names two different kernels`);
    byKey.set(k.key, k.code);
  }
  assert.ok(byKey.size >= 20, `${byKey.size} kernels`);
});

test.run();
