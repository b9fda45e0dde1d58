// One fuzz session: fast-check draws cases for the three targets in turn and runs each in the
// bounded worker (pool.ts) until the time budget is spent. Used by `npm run fuzz` (long runs)
// and by fuzz.test.ts (a few seconds inside `npm test`).
import * as fc from 'fast-check';
import { basePairs, imzmlCase, npyCase, optionsCase } from './cases.ts';
import { WorkerPool, type CaseResult } from './pool.ts';
import type { FuzzCase } from './targets.ts';

export interface FuzzReport {
  seed: number;
  seconds: number;
  cases: number;
  byTarget: Record<string, number>;
  outcomes: Record<string, number>;
  slowestMs: number;
  peakRssMb: number;
  /** The first failing case after shrinking, with what went wrong; null when none failed. */
  failure: { case: FuzzCase; result: CaseResult } | null;
}

export async function runFuzz(opts: { budgetMs: number; seed?: number; onCase?: (n: number) => void }): Promise<FuzzReport> {
  const seed = opts.seed ?? Date.now() % 2 ** 31;
  const pool = new WorkerPool();
  const bases = await basePairs();
  const report: FuzzReport = { seed, seconds: 0, cases: 0, byTarget: {}, outcomes: {}, slowestMs: 0, peakRssMb: 0, failure: null };
  const t0 = performance.now();
  const anyCase = fc.oneof(imzmlCase(bases), npyCase, optionsCase);
  try {
    await fc.assert(
      fc.asyncProperty(anyCase, async (c) => {
        const r = await pool.run(c);
        report.cases++;
        report.byTarget[c.target] = (report.byTarget[c.target] ?? 0) + 1;
        const key = `${c.target}:${r.outcome}`;
        report.outcomes[key] = (report.outcomes[key] ?? 0) + 1;
        report.slowestMs = Math.max(report.slowestMs, r.ms);
        report.peakRssMb = Math.max(report.peakRssMb, r.maxRssMb ?? 0);
        opts.onCase?.(report.cases);
        // Shrinking keeps the last (smallest) failing case.
        if (!r.ok) {
          report.failure = { case: c, result: r };
          throw new Error(`${c.target} case failed: ${r.outcome}: ${r.detail}`);
        }
      }),
      { seed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: opts.budgetMs, markInterruptAsFailure: false },
    );
  } catch (e) {
    if (!report.failure) throw e;
  } finally {
    pool.stop();
    report.seconds = (performance.now() - t0) / 1000;
  }
  return report;
}
