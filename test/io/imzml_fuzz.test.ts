// Fuzz: mutated small imzML pairs (header bytes, header numbers, .ibd bytes) and random bytes.
// The reader must either succeed or throw ImzmlError - never hang, never throw anything else
// (a TypeError or RangeError would be a bug that a corrupt file could trigger in the field).
// Budget: a few hundred cases, about two seconds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { bytesSource } from '../../io/imzml/bytes-source.ts';
import { openImzmlSources } from '../../io/imzml/reader.ts';
import { tempDir, writeSmall } from './imzml_helpers.ts';

const CASE_TIMEOUT_MS = 3000;
/** IMZML_FUZZ_RUNS=20000 for a long unseeded hunt; the default keeps `npm test` fast. */
const LONG_RUNS = Number(process.env.IMZML_FUZZ_RUNS ?? 0);
const fuzzOpts = (seed: number) => (LONG_RUNS > 0 ? { numRuns: LONG_RUNS, verbose: 1 as const } : { numRuns: 150, seed });
const outcomes: Record<string, number> = {};

interface Pair {
  xml: Uint8Array;
  ibd: Uint8Array;
}

/** Opens and reads everything; resolves to 'ok' or 'ImzmlError', rejects on anything else. */
async function exercise(p: Pair): Promise<string> {
  const work = (async () => {
    try {
      const f = await openImzmlSources(bytesSource('f.imzML', p.xml), bytesSource('f.ibd', p.ibd));
      for (let i = 0; i < f.count; i++) await f.readSpectrum(i);
      if (f.width * f.height <= 1 << 20) f.mask();
      void f.spectra.map((s) => s.mz.offset);
      return 'ok';
    } catch (e) {
      if ((e as Error)?.name === 'ImzmlError') return 'ImzmlError';
      throw new Error(`non-ImzmlError ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`);
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`reader hung for more than ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS);
  });
  try {
    const outcome = await Promise.race([work, timeout]);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}

const bases: Pair[] = [];

test.before(async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const opts of [
      { mode: 'processed', compression: 'zlib', intensityDtype: 'i64' },
      { mode: 'continuous', compression: 'none', mzDtype: 'f32', width: 3, height: 2 },
    ] as const) {
      const w = await writeSmall(dir, `fz_${opts.mode}`, opts);
      // Plain Uint8Arrays: Buffer#slice returns a view, and mutate() relies on slice copying.
      bases.push({ xml: new Uint8Array(readFileSync(w.imzml)), ibd: new Uint8Array(readFileSync(w.ibd)) });
    }
  } finally {
    cleanup();
  }
});

const edits = fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 });

function mutate(bytes: Uint8Array, es: { at: number; byte: number }[], cut: number | null): Uint8Array {
  const out = bytes.slice();
  for (const e of es) out[e.at % out.length] = e.byte;
  return cut === null ? out : out.subarray(0, cut % (out.length + 1));
}

test('fuzz: the unmodified bases read cleanly', async () => {
  for (const b of bases) assert.is(await exercise(b), 'ok');
});

test('fuzz: mutated header bytes -> success or ImzmlError', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: 1 }), edits, fc.option(fc.nat(), { freq: 4 }), async (k, es, cut) => {
      const b = bases[k]!;
      await exercise({ xml: mutate(b.xml, es, cut), ibd: b.ibd });
    }),
    fuzzOpts(1),
  );
});

test('fuzz: mutated numbers in the header -> success or ImzmlError', async () => {
  const numbers = fc.oneof(
    fc.integer({ min: -5, max: 5000 }).map(String),
    fc.constantFrom('', '-1', '1e400', '0x10', '1.5', 'NaN', '4294967296', '99999999999999999999', '9007199254740993'),
  );
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: 1 }), fc.nat(), numbers, async (k, which, value) => {
      const b = bases[k]!;
      const xml = Buffer.from(b.xml).toString('latin1');
      const spots = [...xml.matchAll(/(value|count|index)="(\d+)"/g)];
      const m = spots[which % spots.length]!;
      const at = m.index! + m[1]!.length + 2;
      const text = xml.slice(0, at) + value + xml.slice(at + m[2]!.length);
      await exercise({ xml: Buffer.from(text, 'latin1'), ibd: b.ibd });
    }),
    fuzzOpts(2),
  );
});

test('fuzz: mutated .ibd bytes -> success or ImzmlError', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: 1 }), edits, fc.option(fc.nat(), { freq: 4 }), async (k, es, cut) => {
      const b = bases[k]!;
      await exercise({ xml: b.xml, ibd: mutate(b.ibd, es, cut) });
    }),
    fuzzOpts(3),
  );
});

test('fuzz: random bytes as header and .ibd -> ImzmlError', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ maxLength: 200 }), async (xml, ibd) => {
      assert.is(await exercise({ xml, ibd }), 'ImzmlError');
    }),
    fuzzOpts(4),
  );
});

test.after(() => {
  if (LONG_RUNS > 0) console.log('fuzz outcomes', outcomes);
});

test.run();
