// `npm run fuzz [-- --minutes N] [--seed S]`: fuzz the .npy reader, the imzML reader and the
// segment option parser for N minutes (default 1). Prints progress every minute and a JSON
// summary at the end; a failure is written to a file (the case, the error) and exits 1.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runFuzz } from './fuzz.ts';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '1' }, seed: { type: 'string' } } });
const minutes = Number(values.minutes);
if (!(minutes > 0)) {
  process.stderr.write(`fuzz: --minutes must be a positive number, got "${values.minutes}"\n`);
  process.exit(1);
}
const seed = values.seed === undefined ? undefined : Number(values.seed);
const start = Date.now();
let lastNote = start;
process.stderr.write(`fuzz: ${minutes} min, started ${new Date(start).toISOString()}\n`);
const report = await runFuzz({
  budgetMs: minutes * 60_000,
  ...(seed !== undefined ? { seed } : {}),
  onCase: (n) => {
    if (Date.now() - lastNote >= 60_000) {
      lastNote = Date.now();
      process.stderr.write(`fuzz: ${((Date.now() - start) / 60_000).toFixed(1)} min, ${n} cases\n`);
    }
  },
});
const { failure, ...summary } = report;
process.stdout.write(JSON.stringify({ ...summary, failed: failure !== null }, null, 1) + '\n');
if (failure) {
  const file = join(tmpdir(), `msinet-fuzz-failure-${report.seed}.json`);
  const c = failure.case;
  const toB64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  const saved = c.target === 'npy' ? { ...c, bytes: toB64(c.bytes) } : c.target === 'imzml' ? { ...c, xml: toB64(c.xml), ibd: toB64(c.ibd) } : c;
  writeFileSync(file, JSON.stringify({ case: saved, result: failure.result }, null, 1));
  process.stderr.write(`fuzz: FAILED (${failure.result.outcome}): ${failure.result.detail}\nfuzz: the case is in ${file}\n`);
  process.exit(1);
}
process.stderr.write(`fuzz: ${report.cases} cases in ${report.seconds.toFixed(0)} s, no failure\n`);
