// What one fuzz case runs, in the worker process: the .npy reader, the imzML reader (open, the
// `msinet info` pass, the `msinet segment` preprocessing), or the `msinet segment` option
// parser. A case passes when it gives a result or a clear error: one of the error types the
// CLI prints as one line with exit 1, with a one-line message. Anything else (a TypeError, an
// engine RangeError, an allocation failure) is a bug a hostile file could trigger.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openImzml } from '../../io/imzml/node.ts';
import { summarizeImzml } from '../../io/imzml/summary.ts';
import { npyFeatureMatrix } from '../../io/npy-features.ts';
import { npyToInt32, parseNpy } from '../../io/npy.ts';
import { preprocessImzml } from '../../io/preprocess.ts';
import { parseSegmentOptions } from '../../cli/segment-options.ts';

export type FuzzCase =
  | { target: 'npy'; bytes: Uint8Array }
  | { target: 'imzml'; xml: Uint8Array; ibd: Uint8Array; label: string }
  | { target: 'options'; input: string; options: Record<string, string | boolean> }
  /** Checks the bounds themselves: allocate and touch this much memory, or spin this long. */
  | { target: 'probe'; allocateMb: number; spinMs: number };

/** Errors that are the input's fault, printed by the CLI as one line with exit code 1. */
const CLEAR = new Set(['ImzmlError', 'NpyError', 'UserError']);

export interface Verdict {
  ok: boolean;
  /** "ok" or the error name: a histogram of these says what the fuzzer reached. */
  outcome: string;
  detail?: string;
}

export function judge(e: unknown): Verdict {
  const err = e as Error;
  if (CLEAR.has(err?.name) && typeof err.message === 'string' && !err.message.includes('\n') && err.message.length > 0)
    return { ok: true, outcome: err.name };
  return { ok: false, outcome: err?.name ?? typeof e, detail: `${err?.name}: ${err?.message}\n${err?.stack ?? ''}` };
}

const scratch = mkdtempSync(join(tmpdir(), 'msinet-fuzz-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

async function imzml(xml: Uint8Array, ibd: Uint8Array): Promise<void> {
  writeFileSync(join(scratch, 'f.imzML'), xml);
  writeFileSync(join(scratch, 'f.ibd'), ibd);
  const f = await openImzml(join(scratch, 'f.imzML'));
  try {
    await summarizeImzml(f);
    await preprocessImzml(f, { topK: 20, binWidth: 0.5 });
  } finally {
    await f.close();
  }
}

export async function runCase(c: FuzzCase): Promise<Verdict> {
  try {
    if (c.target === 'npy') {
      const a = parseNpy(c.bytes, 'f.npy');
      npyFeatureMatrix(a, 'f.npy');
      if (a.shape.length === 1) npyToInt32(a, 'f.npy');
    } else if (c.target === 'imzml') {
      await imzml(c.xml, c.ibd);
    } else if (c.target === 'options') {
      parseSegmentOptions(c.input, c.options);
    } else {
      new Uint8Array(c.allocateMb * 2 ** 20).fill(1);
      for (const end = Date.now() + c.spinMs; Date.now() < end; );
    }
    return { ok: true, outcome: 'ok' };
  } catch (e) {
    return judge(e);
  }
}
