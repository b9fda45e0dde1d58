// Dropout2d over channels-last [N, C]: a whole channel (per sample) is dropped with
// probability p and the kept ones are scaled by 1 / (1 - p). The mask is a counter-based
// hash of (seed, step, sample * C + channel) computed on the GPU, so a given seed and step
// always give the same mask, with no RNG state to carry between steps.
import { binds, defineKernel, type KernelSpec } from './spec.ts';

const DROPOUT_WG = 256;

const head = `@compute @workgroup_size(${DROPOUT_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u)`;
const idx = `let i = gid.x + gid.y * (nwg.x * ${DROPOUT_WG}u);`;

/** PCG-RXS-M-XS hash (Jarzynski & Olano, "Hash Functions for GPU Rendering", 2020). */
export const pcgHashWgsl = `fn pcgHash(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}`;

/**
 * mask[j] = 0 if hash(seed, step, j) < threshold else keepScale, for j < count (= samples * C).
 * threshold = p * 2^32 (an integer compare, so the CPU can reproduce it exactly).
 */
export function dropoutMaskKernel() {
  return defineKernel({
    key: 'dropout.mask',
    bindings: binds('mask:read_write', 'p:uniform'),
    uniforms: { count: 'u32', seed: 'u32', step: 'u32', threshold: 'u32', keepScale: 'f32' },
    workgroup: DROPOUT_WG,
    source: (decls) => `${decls}
${pcgHashWgsl}
${head} {
  ${idx}
  if (i < p.count) {
    let h = pcgHash(pcgHash(pcgHash(p.seed) + p.step) + i);
    mask[i] = select(p.keepScale, 0.0, h < p.threshold);
  }
}`,
  });
}

/**
 * y[s, r, c] = x[s, r, c] * mask[s * C + c], sampleSize = rows per sample * C. With one
 * sample the mask index is just i % C (integer division is slow on some GPUs and lavapipe).
 */
export function channelMaskKernel(perSample: boolean) {
  const at = perSample ? '(i / p.sampleSize) * p.c + i % p.c' : 'i % p.c';
  return defineKernel({
    key: `dropout.apply${perSample ? '.samples' : ''}`,
    bindings: binds('x:read', 'mask:read', 'y:read_write', 'p:uniform'),
    uniforms: { n: 'u32', c: 'u32', sampleSize: 'u32' },
    workgroup: DROPOUT_WG,
    source: (decls) => `${decls}
${head} {
  ${idx}
  if (i < p.n) { y[i] = x[i] * mask[${at}]; }
}`,
  });
}

export const dropoutKernels = (): KernelSpec[] => [dropoutMaskKernel(), channelMaskKernel(false), channelMaskKernel(true)];
