// Every kernel of the training families (reduce, batchnorm, dropout, argmax, optim): the
// WGSL's layout (via wgsl_reflect: uniform struct, workgroup size) agrees with its spec, and
// Dawn compiles it cleanly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kernelLayout } from '../../engine/index.ts';
import { argmaxKernels } from '../../kernels/argmax.ts';
import { batchnormKernels } from '../../kernels/batchnorm.ts';
import { dropoutKernels } from '../../kernels/dropout.ts';
import { optimKernels } from '../../kernels/optim.ts';
import { reduceKernels } from '../../kernels/reduce.ts';
import { testEngine } from '../gpu.ts';

const families = { reduce: reduceKernels, batchnorm: batchnormKernels, dropout: dropoutKernels, argmax: argmaxKernels, optim: optimKernels };

for (const [name, list] of Object.entries(families)) {
  test(`${name} kernels: layouts match their specs and the WGSL compiles`, async () => {
    const rt = await testEngine();
    const keys = new Set<string>();
    for (const spec of list()) {
      assert.not.ok(keys.has(spec.key), `duplicate key ${spec.key}`);
      keys.add(spec.key);
      kernelLayout(spec);
      const info = await rt.device.createShaderModule({ code: spec.code }).getCompilationInfo();
      const errors = info.messages.filter((m) => m.type === 'error').map((m) => m.message);
      assert.equal(errors, [], spec.key);
    }
  });
}

test.run();
