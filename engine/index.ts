// Public surface of the engine: device + runtime, tensors, autograd, ops, optimisers.
import { backward as tapeBackward, type BackwardOptions } from './autograd.ts';
import type { Tensor } from './tensor.ts';
import { createGpuContext, type DeviceOptions } from './device.ts';
import { Runtime } from './runtime.ts';

export { Tensor } from './tensor.ts';
export type { DType } from './tensor.ts';
export { Runtime, GpuDeviceLostError } from './runtime.ts';
export type { Bindings, KernelSource, Resource } from './runtime.ts';
export { kernelLayout, reflectLayout } from './kernel_layout.ts';
export { createGpuContext, hostGpuContext, describeAdapter, NoAdapterError } from './device.ts';
export type { AdapterReport, GpuContext, DeviceOptions as CreateEngineOptions } from './device.ts';
export type { KernelTime } from './profiler.ts';
export * from './ops/elementwise.ts';
export * from './ops/matmul.ts';
export * from './ops/conv2d.ts';

export type { BackwardOptions } from './autograd.ts';

/**
 * Back-propagates from a scalar loss into every parameter's `.grad`. `{ release: true }` frees
 * the forward's intermediates as soon as the backward has used them (see BackwardOptions).
 */
export function backward(loss: Tensor, opts: BackwardOptions = {}): void {
  tapeBackward(loss, null, opts);
}

/** Back-propagates a given output gradient (vector-Jacobian product); used by gradient checks. */
export function backwardWith(output: Tensor, gradOutput: Tensor): void {
  tapeBackward(output, gradOutput);
}

/**
 * A runtime over a new device (Node: Dawn; browser: navigator.gpu), or over the app's own
 * device with `createEngine({ device })`. On a device it is given, the engine creates storage,
 * uniform and staging buffers (a pool, reused across steps), compute pipelines and bind groups,
 * and sets an 'uncapturederror' listener; `rt.destroy()` destroys its buffers, removes the
 * listener and leaves the device alive (pipelines and bind groups have no destroy() in WebGPU;
 * they go with the runtime once it is unreferenced). On a device it created, destroy() also
 * destroys the device, which lets a Node process exit.
 */
export async function createEngine(opts: DeviceOptions = {}): Promise<Runtime> {
  return new Runtime(await createGpuContext(opts));
}
export * from './ops/softmax_xent.ts';
export * from './ops/reduce.ts';
export * from './ops/continuity.ts';
export * from './ops/gram.ts';
export * from './ops/gemm_policy.ts';
export * from './ops/batchnorm.ts';
export * from './module.ts';
export * from './random.ts';
export * from './ops/slic.ts';
export * from './ops/segment_majority.ts';
export * from './ops/patch_loss.ts';
export * from './ops/dropout.ts';
export * from './ops/argmax.ts';
export * from './ops/infonce.ts';
export * from './optim.ts';
export * from './ops/gather.ts';
export * from './ops/batched_image.ts';
export * from './ops/augment.ts';
export * from './ops/weighted_xent.ts';
