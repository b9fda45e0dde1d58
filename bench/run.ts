// `npm run bench`: runs each benchmark script in its own process (a fresh device each, so one
// cannot slow the next) and lists the JSON files they wrote. The imzML memory benchmark writes
// a 1 GB file and is run alone with `npm run bench:imzml`.
import { spawnSync } from 'node:child_process';

const scripts = ['bench/kernels/conv_matmul.ts', 'bench/kernels/loss_kernels.ts', 'bench/superpixels.ts', 'bench/segment.ts', 'bench/coloc.ts'];
const only = process.argv[2] ? new RegExp(process.argv[2]) : null;
let failed = 0;
for (const s of scripts) {
  if (only && !only.test(s)) continue;
  console.log(`\n== ${s}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', s], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`${s} exited with ${r.status ?? r.signal}`);
  }
}
console.log(`\nResults: bench/results/*.json`);
process.exit(failed ? 1 : 0);
