// Child process of test/browser/app.test.ts: the web app's loader and segment() in Node on the
// Vulkan driver named by VK_ICD_FILENAMES (there: Chromium's own SwiftShader, the driver the
// page runs on), printing the labels and per-iteration losses as one JSON line.
// Usage: node --import tsx test/browser/segment-in-node.ts HEADER.imzML DATA.ibd OPTIONS_JSON
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createEngine, describeAdapter } from '../../engine/index.ts';
import { segment } from '../../model/segment.ts';
import { loadInput } from '../../web/load-input.ts';
import type { RunOptions } from '../../web/messages.ts';

const [header, ibd, json] = process.argv.slice(2) as [string, string, string];
const options = JSON.parse(json) as RunOptions;
const file = (p: string) => new File([readFileSync(p)], basename(p));
const { input } = await loadInput({ kind: 'imzml', header: file(header), ibd: file(ibd) }, options, () => {});
const rt = await createEngine();
try {
  // sqrt is the imzML loader's (done above), not segment()'s own .npy transform.
  const { sqrt: _loaderOnly, ...model } = options;
  const r = await segment(rt, input, { ...model, signal: { aborted: false } });
  console.log(JSON.stringify({ adapter: describeAdapter(rt.ctx.report), labels: Array.from(r.labels), loss: r.report.loss, iterations: r.report.iterations }));
} finally {
  await rt.destroy();
}
