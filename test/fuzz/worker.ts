// The fuzz worker: a plain Node process (bundled by pool.ts, so no tsx) that runs under an
// address-space limit and answers one case per IPC message with its verdict and peak memory.
import { runCase, type FuzzCase } from './targets.ts';

process.on('message', async (c: FuzzCase) => {
  const verdict = await runCase(c);
  process.send!({ ...verdict, maxRssMb: process.resourceUsage().maxRSS / 1024 });
});
process.send!({ ready: true });
