// Browser smoke run of the engine and the model: the same code the Node CLI uses, on
// navigator.gpu. test/browser/browser.test.ts bundles this file, serves it on localhost and
// reads `window.__msinetSmoke` back from headless Chromium (SwiftShader's WebGPU).
import { createEngine, describeAdapter } from '../engine/index.ts';
import { smokeConv } from './smoke-conv.ts';
import { segment } from '../model/segment.ts';

interface SmokeResult {
  adapter: string;
  conv: number[];
  gradW: number[];
  labels: number[];
  iterations: number;
  error?: string;
}

async function run(): Promise<SmokeResult> {
  const rt = await createEngine();
  try {
    const { conv, gradW } = await smokeConv(rt);
    // A tiny two-region image through the whole MSInet pipeline (small network).
    const h = 8, wd = 8;
    const features = new Float32Array(h * wd * 3);
    for (let i = 0; i < h * wd; i++) for (let c = 0; c < 3; c++) features[i * 3 + c] = (i % wd < wd / 2 ? c === 0 : c === 1) ? 1 : 0.1 * ((i * 7 + c) % 5);
    const res = await segment(rt, { features, height: h, width: wd, channels: 3 }, { maxIter: 2, restarts: 1, channels: 8, layers: 2, q: 8, seed: 1 });
    return { adapter: describeAdapter(rt.ctx.report), conv, gradW, labels: Array.from(res.labels), iterations: res.report.iterations };
  } finally {
    await rt.destroy();
  }
}

run()
  .then((r) => ((globalThis as any).__msinetSmoke = r))
  .catch((e: Error) => ((globalThis as any).__msinetSmoke = { error: `${e.name}: ${e.message}` }));
