// Every kernel family of the engine with representative parameters, so one test can check all
// of them (bindings from wgsl_reflect = descriptor, WGSL compiles, keys unique) and a new family
// cannot be forgotten: test/kernels/registry.test.ts also checks every kernels/*.ts is listed.
import { argmaxKernels } from './argmax.ts';
import { augmentKernels } from './augment.ts';
import { batchedImageKernels } from './batched_image.ts';
import { batchnormKernels } from './batchnorm.ts';
import { continuityKernels } from './continuity.ts';
import { conv3x3BackwardInputKernel, conv3x3BackwardWeightKernel, conv3x3ForwardKernel } from './conv2d.ts';
import { directKernels } from './direct.ts';
import { laneGemmKernels } from './lane_gemm.ts';
import { winogradKernels } from './winograd.ts';
import { dropoutKernels } from './dropout.ts';
import { elementwiseKernels } from './elementwise.ts';
import { gatherRowsKernel, scatterRowsKernel } from './gather.ts';
import { gramKernels } from './gram.ts';
import { infonceKernels } from './infonce.ts';
import {
  batchedMatmulFamily,
  gemmKernel,
  matmulKernel,
  sumPlanesKernel,
} from './matmul.ts';
import { optimKernels } from './optim.ts';
import { patchLossKernels } from './patch_loss.ts';
import { reduceKernels } from './reduce.ts';
import { majorityCapacity, segmentMajorityKernel } from './refine.ts';
import { slicKernels } from './slic.ts';
import { softmaxXentKernels } from './softmax_xent.ts';
import type { KernelSpec } from './spec.ts';
import { weightedXentKernels } from './weighted_xent.ts';

export const kernelFamilies: Record<string, () => KernelSpec[]> = {
  argmax: argmaxKernels,
  augment: augmentKernels,
  batched_image: batchedImageKernels,
  batchnorm: batchnormKernels,
  continuity: continuityKernels,
  conv2d: () => [conv3x3ForwardKernel({ bias: true }), conv3x3ForwardKernel(), conv3x3BackwardInputKernel(), conv3x3BackwardWeightKernel()],
  direct: directKernels,
  winograd: winogradKernels,
  lane_gemm: laneGemmKernels,
  dropout: dropoutKernels,
  elementwise: elementwiseKernels,
  gather: () => [gatherRowsKernel(), scatterRowsKernel()],
  gram: gramKernels,
  infonce: infonceKernels,
  matmul: () => [
    ...[false, true].flatMap((ta) => [false, true].map((tb) => matmulKernel(ta, tb))),
    matmulKernel(false, false, { bias: true }),
    ...[false, true].map((ta) => gemmKernel(batchedMatmulFamily(ta, !ta), { batched: true, fill4: true, store4: true })),
    sumPlanesKernel(),
  ],
  optim: optimKernels,
  patch_loss: patchLossKernels,
  reduce: reduceKernels,
  refine: () => [segmentMajorityKernel(majorityCapacity(100)), segmentMajorityKernel(majorityCapacity(257))],
  slic: () => [...slicKernels(3), ...slicKernels(1), ...slicKernels(5)],
  softmax_xent: softmaxXentKernels,
  weighted_xent: weightedXentKernels,
};
