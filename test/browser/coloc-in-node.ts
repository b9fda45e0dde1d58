// Child process of test/browser/app_coloc.test.ts: the coloc tab's loader (web/coloc-input.ts)
// and coloc() in Node on the Vulkan driver named by VK_ICD_FILENAMES (there: Chromium's own
// SwiftShader, the driver the page runs on, or the default lavapipe), printing the clusters,
// confidences, embeddings and losses as one JSON line.
// Usage: node --import tsx test/browser/coloc-in-node.ts STACK.npy OPTIONS_JSON
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createEngine, describeAdapter } from '../../engine/index.ts';
import { coloc } from '../../model/coloc/coloc.ts';
import { colocOptions, loadStack } from '../../web/coloc-input.ts';
import type { ColocRunOptions } from '../../web/messages.ts';

const [path, json] = process.argv.slice(2) as [string, string];
const options = JSON.parse(json) as ColocRunOptions;
const file = new File([readFileSync(path)], basename(path));
const { stack } = await loadStack({ kind: 'npy', file, layout: 'nhw', shape: null }, options, () => {});
const rt = await createEngine();
try {
  const r = await coloc(rt, stack, colocOptions(options));
  console.log(
    JSON.stringify({
      adapter: describeAdapter(rt.ctx.report),
      clusters: Array.from(r.clusters),
      confidence: Array.from(r.confidence),
      embeddings: Array.from(r.embeddings),
      loss: r.report.lossPerEpoch,
      k: r.report.k,
    }),
  );
} finally {
  await rt.destroy();
}
