// Shared by the imzML tests: deterministic spectra, small files written with our writer into a
// temp dir, and text surgery on the header to make broken variants.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeImzml } from '../../io/imzml/writer.ts';
import type { ImzmlWriteOptions, WriteSpectrum } from '../../io/imzml/types.ts';

/** The seeded test RNG (engine/index.ts loads no GPU by itself, so sharing it is cheap). */
import { rng as rand } from '../helpers.ts';
export { rand };

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'msinet-imzml-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Spectra on a width x height grid with pixel (2,1) missing (a sparse grid), values that are
 * integers below 2^24 so every dtype holds them exactly. Processed spectra have varied lengths,
 * one of them empty; continuous spectra share one m/z array.
 */
export function gridSpectra(mode: 'continuous' | 'processed', width = 3, height = 2, seed = 1): WriteSpectrum[] {
  const r = rand(seed);
  const shared = Array.from({ length: 17 }, (_, j) => 100 + 3 * j);
  const out: WriteSpectrum[] = [];
  let k = 0;
  for (let y = 1; y <= height; y++) {
    for (let x = 1; x <= width; x++) {
      if (x === 2 && y === 1) continue;
      const n = mode === 'continuous' ? shared.length : k === 1 ? 0 : 1 + ((k * 7) % 23);
      const mz = mode === 'continuous' ? shared : Array.from({ length: n }, (_, j) => 50 + 5 * j + (k % 3));
      const intensity = Array.from({ length: n }, () => Math.floor(r() * 1e6) - 1000);
      out.push({ x, y, mz, intensity });
      k++;
    }
  }
  return out;
}

export async function writeSmall(
  dir: string,
  name: string,
  opts: ImzmlWriteOptions,
  spectra: WriteSpectrum[] = gridSpectra(opts.mode),
): Promise<{ imzml: string; ibd: string; spectra: WriteSpectrum[] }> {
  const res = await writeImzml(join(dir, name), spectra, opts);
  return { imzml: res.imzmlPath, ibd: res.ibdPath, spectra };
}

export function readText(path: string): string {
  return readFileSync(path, 'latin1');
}

/** Replaces the n-th (0-based) match of a global regex. */
export function replaceNth(text: string, re: RegExp, n: number, replace: (m: RegExpExecArray) => string): string {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
  let m: RegExpExecArray | null;
  let i = 0;
  while ((m = g.exec(text))) {
    if (i++ === n) return text.slice(0, m.index) + replace(m) + text.slice(m.index + m[0].length);
  }
  throw new Error(`replaceNth: fewer than ${n + 1} matches of ${re}`);
}

/** The value attribute of a param: `accession="ACC" name="..." value="(...)"` as the writer emits it. */
export function paramRe(accession: string): RegExp {
  return new RegExp(`(accession="${accession}" name="[^"]*" value=")([^"]*)(")`, 'g');
}

export function setNthParam(xml: string, accession: string, n: number, value: string): string {
  return replaceNth(xml, paramRe(accession), n, (m) => `${m[1]}${value}${m[3]}`);
}

/** Asserts `fn` rejects with an ImzmlError whose message contains every fragment. */
export async function rejectsImzml(fn: () => Promise<unknown>, fragments: string[]): Promise<string> {
  let err: unknown = null;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  if (err === null) throw new Error(`expected an ImzmlError containing ${JSON.stringify(fragments)}, got success`);
  const e = err as Error;
  if (e.name !== 'ImzmlError') throw new Error(`expected ImzmlError, got ${e.name}: ${e.message}`);
  for (const f of fragments) {
    if (!e.message.includes(f)) throw new Error(`ImzmlError message lacks ${JSON.stringify(f)}: ${e.message}`);
  }
  return e.message;
}
