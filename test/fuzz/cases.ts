// fast-check generators of fuzz cases. imzML cases are structure-aware: valid small files (made
// here with the project's writer) with a few edits of the kind corrupt or hostile files have:
// header numbers (offsets, lengths, encoded lengths, coordinates, grid size), dtypes,
// compression, mode, duplicated coordinates, zlib streams of zeros that declare more than
// they hold, and raw byte edits, truncation or growth of either file.
import * as fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { encodeNpy } from '../../io/npy.ts';
import { gridSpectra, paramRe, setNthParam, tempDir, writeSmall } from '../io/imzml_helpers.ts';
import type { FuzzCase } from './targets.ts';

interface Pair {
  label: string;
  xml: string; // latin1
  ibd: Uint8Array;
}

export async function basePairs(): Promise<Pair[]> {
  const { dir, cleanup } = tempDir();
  try {
    const out: Pair[] = [];
    for (const [label, opts] of [
      ['processed-zlib-i64', { mode: 'processed', compression: 'zlib', intensityDtype: 'i64' }],
      ['continuous-f32', { mode: 'continuous', compression: 'none', mzDtype: 'f32', width: 3, height: 2 }],
      ['processed-f64', { mode: 'processed', compression: 'none', mzDtype: 'f64', intensityDtype: 'f64' }],
      ['continuous-zlib', { mode: 'continuous', compression: 'zlib' }],
    ] as const) {
      const w = await writeSmall(dir, label, opts, gridSpectra(opts.mode));
      out.push({ label, xml: readFileSync(w.imzml, 'latin1'), ibd: new Uint8Array(readFileSync(w.ibd)) });
    }
    return out;
  } finally {
    cleanup();
  }
}

const hostileNumber = fc.oneof(
  fc.integer({ min: -5, max: 100_000 }).map(String),
  fc.constantFrom('0', '-1', '1', '2', '3', '16', '17', '4294967295', '4294967296', '268435455', '268435456', '8388608', '8388609', '1e400', '1.5', 'NaN', '', '0x10', ' 7', '99999999999999999999', '9007199254740993', '-0'),
);

const PARAMS = ['IMS:1000102', 'IMS:1000103', 'IMS:1000104', 'IMS:1000050', 'IMS:1000051', 'IMS:1000042', 'IMS:1000043'];
const DTYPES = ['MS:1000521', 'MS:1000523', 'MS:1000519', 'MS:1000522'];
const COMPRESSION = ['MS:1000576', 'MS:1000574'];
const MODES = ['IMS:1000030', 'IMS:1000031'];

type Edit =
  | { kind: 'param'; accession: string; nth: number; value: string }
  | { kind: 'swap'; from: readonly string[]; nth: number; to: number }
  | { kind: 'dup-coords'; nth: number }
  | { kind: 'bomb'; array: number; zeros: number; declare: 'exact' | 'more' | 'huge' }
  | { kind: 'ibd-bytes'; edits: { at: number; byte: number }[] }
  | { kind: 'xml-bytes'; edits: { at: number; byte: number }[] }
  | { kind: 'cut'; file: 'xml' | 'ibd'; at: number }
  | { kind: 'grow'; bytes: number };

const byteEdits = fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 });

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('param' as const), accession: fc.constantFrom(...PARAMS), nth: fc.nat(20), value: hostileNumber }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('swap' as const), from: fc.constantFrom(DTYPES, COMPRESSION, MODES), nth: fc.nat(4), to: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dup-coords' as const), nth: fc.nat(8) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('bomb' as const),
      array: fc.nat(12),
      zeros: fc.constantFrom(0, 8, 4096, 2 ** 20, 2 ** 24),
      declare: fc.constantFrom('exact' as const, 'more' as const, 'huge' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('ibd-bytes' as const), edits: byteEdits }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('xml-bytes' as const), edits: byteEdits }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), file: fc.constantFrom('xml' as const, 'ibd' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('grow' as const), bytes: fc.nat(5000) }) },
);

function replaceNthOf(xml: string, accessions: readonly string[], nth: number, to: string): string {
  const re = new RegExp(`accession="(${accessions.join('|')})"`, 'g');
  const all = [...xml.matchAll(re)];
  if (all.length === 0) return xml;
  const m = all[nth % all.length]!;
  return xml.slice(0, m.index!) + `accession="${to}"` + xml.slice(m.index! + m[0].length);
}

/** Params setNthParam can edit (byte edits may have broken some of them). */
const countOf = (xml: string, accession: string) => [...xml.matchAll(paramRe(accession))].length;

function apply(p: Pair, edits: Edit[]): { xml: Uint8Array; ibd: Uint8Array } {
  let xml = p.xml;
  let ibd = p.ibd;
  let xmlBytes: Uint8Array | null = null;
  for (const e of edits) {
    if (e.kind === 'param') {
      const n = countOf(xml, e.accession);
      if (n > 0) xml = setNthParam(xml, e.accession, e.nth % n, e.value);
    } else if (e.kind === 'swap') {
      xml = replaceNthOf(xml, e.from, e.nth, e.from[e.to % e.from.length]!);
    } else if (e.kind === 'dup-coords') {
      const n = countOf(xml, 'IMS:1000050');
      if (n > 1 && countOf(xml, 'IMS:1000051') === n) {
        xml = setNthParam(xml, 'IMS:1000050', 1 + (e.nth % (n - 1)), '1');
        xml = setNthParam(xml, 'IMS:1000051', 1 + (e.nth % (n - 1)), '1');
      }
    } else if (e.kind === 'bomb') {
      // Append a zlib stream of zeros and point one array at it, declaring its true size,
      // slightly more, or far more (what an attacker or a broken writer would do).
      const n = countOf(xml, 'IMS:1000102');
      if (n === 0) continue;
      const k = e.array % n;
      const stream = deflateSync(Buffer.alloc(e.zeros), { level: 1 });
      const offset = ibd.length;
      ibd = Buffer.concat([ibd, stream]);
      const points = e.declare === 'exact' ? Math.floor(e.zeros / 8) : e.declare === 'more' ? Math.floor(e.zeros / 8) + 1 : 268_435_455;
      xml = setNthParam(xml, 'IMS:1000102', k, String(offset));
      if (countOf(xml, 'IMS:1000104') === n) xml = setNthParam(xml, 'IMS:1000104', k, String(stream.length));
      if (countOf(xml, 'IMS:1000103') === n) xml = setNthParam(xml, 'IMS:1000103', k, String(points));
      xml = replaceNthOf(xml, COMPRESSION, k, 'MS:1000574');
    } else if (e.kind === 'ibd-bytes') {
      ibd = ibd.slice();
      for (const b of e.edits) if (ibd.length) ibd[b.at % ibd.length] = b.byte;
    } else if (e.kind === 'xml-bytes') {
      const bytes = Buffer.from(xml, 'latin1');
      for (const b of e.edits) bytes[b.at % bytes.length] = b.byte;
      xml = bytes.toString('latin1');
    } else if (e.kind === 'cut') {
      if (e.file === 'ibd') ibd = ibd.subarray(0, e.at % (ibd.length + 1));
      else xmlBytes = Buffer.from(xml, 'latin1').subarray(0, e.at % (xml.length + 1));
    } else {
      ibd = Buffer.concat([ibd, Buffer.alloc(e.bytes, 7)]);
    }
  }
  return { xml: xmlBytes ?? new Uint8Array(Buffer.from(xml, 'latin1')), ibd: new Uint8Array(ibd) };
}

export function imzmlCase(bases: Pair[]): fc.Arbitrary<FuzzCase> {
  return fc.tuple(fc.nat(bases.length - 1), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([k, edits]) => {
    const { xml, ibd } = apply(bases[k]!, edits);
    return { target: 'imzml' as const, xml, ibd, label: `${bases[k]!.label} ${JSON.stringify(edits.map((e) => e.kind))}` };
  });
}

/** .npy files: valid ones of many dtypes and shapes, then byte edits in header or data, or cuts. */
export const npyCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    fc.constantFrom('f32', 'f64', 'i32', 'u8'),
    fc.array(fc.nat(6), { minLength: 1, maxLength: 3 }),
    fc.double({ noDefaultInfinity: false }),
    fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }),
    fc.option(fc.nat(), { freq: 4 }),
  )
  .map(([dtype, shape, fill, edits, cut]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = dtype === 'f32' ? new Float32Array(n).fill(fill) : dtype === 'f64' ? new Float64Array(n).fill(fill) : dtype === 'i32' ? new Int32Array(n).fill(fill) : new Uint8Array(n).fill(fill);
    const bytes = new Uint8Array(encodeNpy(data, shape));
    for (const e of edits) bytes[e.at % bytes.length] = e.byte;
    return { target: 'npy' as const, bytes: cut === null ? bytes : bytes.subarray(0, cut % (bytes.length + 1)) };
  });

const optionValue = fc.oneof(
  hostileNumber,
  fc.constantFrom('pca', 'umap', 'none', 'slic', 'felzenszwalb', 'patch', 'infonce', 'stop', 'forward', 'da', 'ppm', 'tic', 'rms', 'mean', 'variance', '1e-9', '0.0', '.5', '5.', '1e3', '7e-324', '１', '1_000', '12,12', '0,5', 'x'),
  fc.string({ maxLength: 8 }),
);
const OPTION_KEYS = [
  'out', 'shape', 'seed', 'maxIter', 'minLabels', 'finalLabels', 'superpixels', 'nSegments', 'compactness', 'reduce', 'contrast',
  'temperature', 'inputScale', 'truth', 'binWidth', 'binUnit', 'topK', 'select', 'normalize', 'ticThreshold', 'maxSpectrumPoints', 'maxBins', 'maxGridPixels',
];

/** Raw option objects as commander hands them over: any subset, hostile values, some flags. */
export const optionsCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    fc.constantFrom('x.npy', 'x.imzML', 'x.IMZML', 'x.txt', '', 'x.npy.gz'),
    fc.dictionary(fc.constantFrom(...OPTION_KEYS), optionValue, { maxKeys: 8 }),
    fc.subarray(['tic', 'sqrt', 'quiet']),
  )
  .map(([input, raw, flags]) => ({
    target: 'options' as const,
    input,
    options: { out: 'o', ...raw, ...Object.fromEntries(flags.map((f) => [f, true])) },
  }));
