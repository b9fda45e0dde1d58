// Small imzML pairs that declare far more than they hold, for the tests of issue 9 finding 1.
// None of them allocates what it declares: zlib streams of zeros are deflated from one reused
// 1 MiB block, and big uncompressed .ibd files are sparse (truncate, no data written).
import { closeSync, openSync, readFileSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { constants, createDeflate } from 'node:zlib';
import { readText, setNthParam, writeSmall } from './imzml_helpers.ts';

/** zlib stream of `bytes` zero bytes, built without holding them all at once. */
export async function zlibZeros(bytes: number): Promise<Uint8Array> {
  // Fastest level: about 1:200, under the reader's 1:1100 plausibility bound, as real bombs are.
  const d = createDeflate({ level: constants.Z_BEST_SPEED });
  const parts: Buffer[] = [];
  d.on('data', (c: Buffer) => parts.push(c));
  const block = Buffer.alloc(2 ** 20);
  for (let left = bytes; left > 0; left -= block.length) {
    const chunk = left >= block.length ? block : block.subarray(0, left);
    if (!d.write(chunk)) await new Promise((r) => d.once('drain', r));
  }
  await new Promise((r) => {
    d.on('end', r); // every compressed chunk has arrived
    d.end();
  });
  return new Uint8Array(Buffer.concat(parts));
}

/** Points the single spectrum declares, how its arrays are stored, and its .ibd on disk. */
export interface Declared {
  points: number;
  compression: 'zlib' | 'none';
  /** zlib only: declare `points` but store this many zero bytes per array (default: all). */
  storedBytes?: number;
}

/**
 * One spectrum at (1, 1) with an f64 m/z and an f32 intensity array of `points` zeros each.
 * Returns the header path.
 */
export async function declaredSpectrum(dir: string, name: string, d: Declared): Promise<string> {
  const w = await writeSmall(dir, name, { mode: 'processed', compression: d.compression, mzDtype: 'f64', intensityDtype: 'f32' }, [
    { x: 1, y: 1, mz: [1, 2, 3], intensity: [4, 5, 6] },
  ]);
  const uuid = readFileSync(w.ibd).subarray(0, 16);
  const mzBytes = d.points * 8, intBytes = d.points * 4;
  let encoded: [number, number];
  if (d.compression === 'zlib') {
    const mz = await zlibZeros(Math.min(mzBytes, d.storedBytes ?? mzBytes));
    const int = await zlibZeros(Math.min(intBytes, d.storedBytes ?? intBytes));
    writeFileSync(w.ibd, Buffer.concat([uuid, mz, int]));
    encoded = [mz.length, int.length];
  } else {
    const fd = openSync(w.ibd, 'w');
    writeSync(fd, uuid);
    closeSync(fd);
    truncateSync(w.ibd, 16 + mzBytes + intBytes); // sparse: no blocks for the zeros
    encoded = [mzBytes, intBytes];
  }
  let xml = readText(w.imzml);
  xml = setNthParam(xml, 'IMS:1000102', 1, String(16 + encoded[0]));
  for (const k of [0, 1]) {
    xml = setNthParam(xml, 'IMS:1000103', k, String(d.points));
    xml = setNthParam(xml, 'IMS:1000104', k, String(encoded[k]));
  }
  writeFileSync(w.imzml, xml, 'latin1');
  return w.imzml;
}
