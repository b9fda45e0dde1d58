// SwiftShader (Chromium's WebGPU on the CPU when there is no usable GPU) compiled the 16x16
// register-tiled GEMM that the engine picks for big products on CPU adapters for more than
// 11 minutes without finishing (lavapipe: ~10 s), so there every GEMM takes the direct
// kernels, which compile in about a second. Used by the web app and its browser test page.
import { describeAdapter, setBigGemmFlops, type Runtime } from '../engine/index.ts';

export function avoidSlowCompiles(rt: Runtime): void {
  if (/swiftshader/i.test(describeAdapter(rt.ctx.report))) setBigGemmFlops(Infinity);
}
