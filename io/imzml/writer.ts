// Streaming imzML writer (Node). Spectra are encoded and appended to the .ibd one at a time, and
// their XML goes to a temporary file, so memory does not grow with the output size. The header
// needs the spectrum count and the SHA-1 of the .ibd, so the .imzML is assembled last (header +
// spectrum XML + footer). Everything is written under temporary names and renamed at the end;
// on any error the temporaries are removed and no half-written pair is left behind.
import { createHash, randomBytes, randomUUID, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { EncodeRangeError, compressBytes, encodeValues } from './encode.ts';
import { ImzmlError } from './errors.ts';
import { canonicalUuid, normalizeUuid } from './uuid.ts';
import type { ArrayRef, Compression, ImzmlWriteOptions, NumericDtype, WriteSpectrum } from './types.ts';
import { FOOTER_XML, headerXml, spectrumXml } from './writer-xml.ts';

export interface WriteResult {
  imzmlPath: string;
  ibdPath: string;
  /** Canonical 8-4-4-4-12 lower-case form. */
  uuid: string;
  sha1: string;
  count: number;
  ibdBytes: number;
}

const BUFFER_BYTES = 4 << 20;

/** Appends to a file through a fixed buffer; optionally hashes everything it writes. */
class FileSink {
  private buf = new Uint8Array(BUFFER_BYTES);
  private used = 0;
  position = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly hash?: Hash,
  ) {}

  private async writeAll(bytes: Uint8Array): Promise<void> {
    this.hash?.update(bytes);
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.fh.write(bytes, done, bytes.length - done);
      done += bytesWritten;
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.used + bytes.length > this.buf.length) await this.flush();
    if (bytes.length >= this.buf.length) await this.writeAll(bytes);
    else {
      this.buf.set(bytes, this.used);
      this.used += bytes.length;
    }
    this.position += bytes.length;
  }

  writeText(text: string): Promise<void> {
    return this.write(Buffer.from(text, 'utf8'));
  }

  async flush(): Promise<void> {
    if (this.used > 0) await this.writeAll(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.fh.close();
  }
}

function stripExtension(basePath: string): string {
  return basePath.replace(/\.(imzml|ibd)$/i, '');
}

function checkGridSize(name: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new ImzmlError(name, `grid size ${v} is not a positive integer`);
}

/**
 * Writes `<basePath>.imzML` and `<basePath>.ibd` (a trailing .imzML/.ibd on basePath is ignored).
 * Continuous mode writes the m/z array of the first spectrum once; every other spectrum must
 * have the same m/z values. Integer dtypes round to the nearest integer.
 */
export async function writeImzml(
  basePath: string,
  spectra: Iterable<WriteSpectrum> | AsyncIterable<WriteSpectrum>,
  opts: ImzmlWriteOptions,
): Promise<WriteResult> {
  const base = stripExtension(basePath);
  const imzmlPath = `${base}.imzML`;
  const ibdPath = `${base}.ibd`;
  const mzDtype: NumericDtype = opts.mzDtype ?? 'f64';
  const intensityDtype: NumericDtype = opts.intensityDtype ?? 'f32';
  const compression: Compression = opts.compression ?? 'none';
  const spectrumType = opts.spectrumType ?? 'profile';
  if (opts.mode !== 'continuous' && opts.mode !== 'processed') throw new ImzmlError(imzmlPath, `unknown mode "${opts.mode}"`);
  checkGridSize(imzmlPath, opts.width);
  checkGridSize(imzmlPath, opts.height);
  if (opts.pixelSize !== undefined && !(opts.pixelSize > 0)) throw new ImzmlError(imzmlPath, `pixel size ${opts.pixelSize} is not positive`);
  const uuid = normalizeUuid(opts.uuid ?? randomUUID());
  if (uuid === null) throw new ImzmlError(imzmlPath, `malformed UUID "${opts.uuid}"`);

  const tag = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmpIbd = ibdPath + tag;
  const tmpImzml = imzmlPath + tag;
  const tmpBody = `${base}.spectra${tag}`;
  const handles: FileHandle[] = [];
  const openSink = async (path: string, hash?: Hash) => {
    const fh = await open(path, 'wx');
    handles.push(fh);
    return new FileSink(fh, hash);
  };

  try {
    const sha1 = createHash('sha1');
    const ibd = await openSink(tmpIbd, sha1);
    const body = await openSink(tmpBody);
    await ibd.write(Buffer.from(uuid, 'hex'));

    const writeArray = async (values: ArrayLike<number>, dtype: NumericDtype, index: number, what: string): Promise<ArrayRef> => {
      let raw: Uint8Array;
      try {
        raw = encodeValues(values, dtype);
      } catch (e) {
        if (e instanceof EncodeRangeError) throw new ImzmlError(imzmlPath, `${what} ${e.message}`, index);
        throw e;
      }
      const bytes = compressBytes(raw, compression);
      const ref: ArrayRef = { offset: ibd.position, length: values.length, encodedLength: bytes.length, dtype, compression };
      await ibd.write(bytes);
      return ref;
    };

    let count = 0;
    let sharedMz: { values: Float64Array; ref: ArrayRef } | null = null;
    for await (const s of spectra) {
      const i = count;
      if (!Number.isInteger(s.x) || !Number.isInteger(s.y) || s.x < 1 || s.y < 1 || s.x > 0x7fffffff || s.y > 0x7fffffff) {
        throw new ImzmlError(imzmlPath, `position (${s.x}, ${s.y}) is not a pair of 1-based integers`, i);
      }
      if ((opts.width !== undefined && s.x > opts.width) || (opts.height !== undefined && s.y > opts.height)) {
        throw new ImzmlError(imzmlPath, `position (${s.x}, ${s.y}) is outside the ${opts.width} x ${opts.height} grid`, i);
      }
      if (s.mz.length !== s.intensity.length) {
        throw new ImzmlError(imzmlPath, `m/z array has ${s.mz.length} values but intensity array has ${s.intensity.length}`, i);
      }
      let mzRef: ArrayRef;
      if (opts.mode === 'continuous') {
        if (sharedMz === null) {
          const values = Float64Array.from(s.mz);
          sharedMz = { values, ref: await writeArray(values, mzDtype, i, 'm/z') };
        } else {
          const first = sharedMz.values;
          let differs = s.mz.length !== first.length ? 0 : -1;
          for (let j = 0; differs < 0 && j < first.length; j++) if (s.mz[j] !== first[j]) differs = j;
          if (differs >= 0) {
            throw new ImzmlError(
              imzmlPath,
              `continuous mode needs one m/z array shared by all spectra; this one differs from spectrum 0 at point ${differs}`,
              i,
            );
          }
        }
        mzRef = sharedMz.ref;
      } else {
        mzRef = await writeArray(s.mz, mzDtype, i, 'm/z');
      }
      const intRef = await writeArray(s.intensity, intensityDtype, i, 'intensity');
      await body.writeText(spectrumXml(i, s.x, s.y, mzRef, intRef));
      count++;
    }
    if (count === 0) throw new ImzmlError(imzmlPath, 'no spectra to write');
    await ibd.close();
    await body.close();
    const ibdBytes = ibd.position;
    const sha1Hex = sha1.digest('hex');

    const imzml = await openSink(tmpImzml);
    await imzml.writeText(
      headerXml({
        mode: opts.mode,
        uuid,
        sha1: sha1Hex,
        count,
        mzDtype,
        intensityDtype,
        compression,
        spectrumType,
        width: opts.width,
        height: opts.height,
        pixelSize: opts.pixelSize,
        software: { name: 'msinet-webgpu', version: '0.1.0' },
      }),
    );
    for await (const chunk of createReadStream(tmpBody, { highWaterMark: 1 << 20 })) await imzml.write(chunk as Buffer);
    await imzml.writeText(FOOTER_XML);
    await imzml.close();
    await unlink(tmpBody);
    await rename(tmpIbd, ibdPath);
    await rename(tmpImzml, imzmlPath);
    return { imzmlPath, ibdPath, uuid: canonicalUuid(uuid), sha1: sha1Hex, count, ibdBytes };
  } catch (e) {
    // Closing twice only rejects; what matters is that nothing stays open or half-written.
    await Promise.allSettled(handles.map((fh) => fh.close()));
    await Promise.allSettled([unlink(tmpIbd), unlink(tmpImzml), unlink(tmpBody)]);
    throw e;
  }
}
