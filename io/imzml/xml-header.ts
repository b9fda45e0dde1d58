// Streaming parse of the .imzML XML header. The header of a large acquisition can be hundreds of
// MB, so it is fed to saxes chunk by chunk from the ByteSource and each spectrum is reduced to
// one row of a SpectrumTable as soon as its closing tag is seen; no DOM is ever built.
//
// cvParams are matched by accession, and a referenceableParamGroupRef stands for the params of
// its group at the place of the reference (groups may be defined after fileContent refers to
// them, so file-level references are resolved when the group list closes).
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import {
  COMPRESSION_BY_ACCESSION,
  CV,
  DTYPE_BY_ACCESSION,
  ITEM_SIZE,
  MODE_BY_ACCESSION,
  UNSUPPORTED_COMPRESSIONS,
  UNSUPPORTED_DTYPES,
} from './cv-terms.ts';
import { ImzmlError } from './errors.ts';
import { MAX_U32, SpectrumTable } from './spectrum-table.ts';
import type { ArrayRef, ByteSource, Compression, ImzmlMode, NumericDtype } from './types.ts';

export interface ParsedHeader {
  /** null when the file names no mode (the reader then infers it). */
  mode: ImzmlMode | null;
  /** The UUID as written (braces and case as in the file), or null. */
  uuid: string | null;
  maxCountX: number | null;
  maxCountY: number | null;
  pixelSizeX: number | null;
  pixelSizeY: number | null;
  sha1: string | null;
  md5: string | null;
  table: SpectrumTable;
}

interface Param {
  accession: string;
  value: string;
}

/** A binary data array while its element is open. */
interface ArrayState {
  kind: 'mz' | 'intensity' | null;
  dtype: NumericDtype | null;
  unsupportedDtype: string | null;
  compression: Compression | null;
  unsupportedCompression: string | null;
  offset: number;
  length: number;
  encodedLength: number;
}

interface SpectrumState {
  x: number;
  y: number;
  defaultArrayLength: number;
  mz: ArrayRef | null;
  intensity: ArrayRef | null;
}

const DEFAULT_CHUNK = 1 << 20;
/** A spectrum takes at least this many bytes of XML; bounds the capacity hint from count="". */
const MIN_SPECTRUM_XML_BYTES = 64;
/** Declared lengths beyond this are corrupt, not data (2^28 points = 2 GiB of f64 per array). */
const MAX_POINTS = 1 << 28;
/** zlib cannot expand data by more than ~1032x; a header claiming more is corrupt. */
const ZLIB_MAX_RATIO = 1100;

function localName(name: string): string {
  const c = name.indexOf(':');
  return c < 0 ? name : name.slice(c + 1);
}

/** Picks the TextDecoder label from a BOM or the XML declaration in the first bytes. */
export function detectEncoding(head: Uint8Array): string {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  let decl = '';
  for (let i = 0; i < Math.min(head.length, 256); i++) decl += String.fromCharCode(head[i]!);
  const m = /^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(decl);
  const enc = m?.[1]!.toLowerCase();
  if (enc && /^(iso-?8859-1|latin-?1|windows-1252|cp1252|us-ascii|ascii)$/.test(enc)) return 'latin1';
  return 'utf-8';
}

export async function parseImzmlHeader(src: ByteSource, chunkSize = DEFAULT_CHUNK): Promise<ParsedHeader> {
  const file = src.name;
  const fail = (problem: string, spectrum?: number): never => {
    throw new ImzmlError(file, problem, spectrum);
  };

  const out: ParsedHeader = {
    mode: null,
    uuid: null,
    maxCountX: null,
    maxCountY: null,
    pixelSizeX: null,
    pixelSizeY: null,
    sha1: null,
    md5: null,
    table: new SpectrumTable(),
  };
  const groups = new Map<string, Param[]>();
  const pendingFileRefs: string[] = [];
  let group: Param[] | null = null;
  let spectrum: SpectrumState | null = null;
  let array: ArrayState | null = null;
  let sawRoot = false;
  let sawSpectrumList = false;

  const index = () => out.table.count;

  /** A non-negative integer from an attribute or param value. */
  const count = (value: string, what: string): number => {
    const v = Number(value);
    if (value.trim() === '' || !Number.isSafeInteger(v) || v < 0) {
      fail(`${what} "${value}" is not a non-negative integer`, spectrum ? index() : undefined);
    }
    return v;
  };
  const positiveNumber = (value: string, what: string): number => {
    const v = Number(value);
    if (value.trim() === '' || !Number.isFinite(v) || v <= 0) fail(`${what} "${value}" is not a positive number`);
    return v;
  };
  const arrayName = (a: ArrayState) => (a.kind === 'mz' ? 'm/z array' : a.kind === 'intensity' ? 'intensity array' : 'binary data array');

  function applyParam(accession: string, value: string): void {
    if (array) {
      const dtype = DTYPE_BY_ACCESSION[accession];
      if (dtype) return void (array.dtype = dtype);
      const compression = COMPRESSION_BY_ACCESSION[accession];
      if (compression) return void (array.compression = compression);
      switch (accession) {
        case CV.mzArray:
          return void (array.kind = 'mz');
        case CV.intensityArray:
          return void (array.kind = 'intensity');
        case CV.externalOffset:
          return void (array.offset = count(value, 'external offset (IMS:1000102)'));
        case CV.externalArrayLength:
          return void (array.length = count(value, 'external array length (IMS:1000103)'));
        case CV.externalEncodedLength:
          return void (array.encodedLength = count(value, 'external encoded length (IMS:1000104)'));
      }
      if (UNSUPPORTED_DTYPES[accession]) array.unsupportedDtype = `${accession} ${UNSUPPORTED_DTYPES[accession]}`;
      if (UNSUPPORTED_COMPRESSIONS[accession]) {
        array.unsupportedCompression = `${accession} ${UNSUPPORTED_COMPRESSIONS[accession]}`;
      }
      return;
    }
    if (spectrum) {
      if (accession === CV.positionX) spectrum.x = count(value, 'position x (IMS:1000050)');
      else if (accession === CV.positionY) spectrum.y = count(value, 'position y (IMS:1000051)');
      return;
    }
    const mode = MODE_BY_ACCESSION[accession];
    if (mode) {
      if (out.mode && out.mode !== mode) fail(`the header names both continuous and processed mode`);
      out.mode = mode;
      return;
    }
    switch (accession) {
      case CV.uuid:
        out.uuid = value;
        break;
      case CV.maxCountX:
        out.maxCountX = count(value, 'max count of pixels x (IMS:1000042)');
        break;
      case CV.maxCountY:
        out.maxCountY = count(value, 'max count of pixels y (IMS:1000043)');
        break;
      case CV.pixelSizeX:
        out.pixelSizeX = positiveNumber(value, 'pixel size x (IMS:1000046)');
        break;
      case CV.pixelSizeY:
        out.pixelSizeY = positiveNumber(value, 'pixel size y (IMS:1000047)');
        break;
      case CV.ibdSha1:
        out.sha1 = value.trim().toLowerCase();
        break;
      case CV.ibdMd5:
        out.md5 = value.trim().toLowerCase();
        break;
    }
  }

  function applyGroup(ref: string, fileLevel: boolean): void {
    const params = groups.get(ref);
    if (params) for (const p of params) applyParam(p.accession, p.value);
    else if (fileLevel) pendingFileRefs.push(ref);
    else fail(`reference to undefined referenceableParamGroup "${ref}"`, spectrum ? index() : undefined);
  }

  function resolvePendingFileRefs(): void {
    for (const ref of pendingFileRefs.splice(0)) {
      if (!groups.has(ref)) fail(`reference to undefined referenceableParamGroup "${ref}"`);
      applyGroup(ref, false);
    }
  }

  function closeArray(a: ArrayState): void {
    const i = index();
    const s = spectrum!;
    if (a.kind === null) return; // another array type (e.g. signal to noise): not ours to read
    const name = arrayName(a);
    if (!a.dtype) {
      fail(
        a.unsupportedDtype
          ? `${name}: unsupported binary data type ${a.unsupportedDtype}`
          : `${name}: no supported binary data type (32/64-bit float or integer accession)`,
        i,
      );
    }
    if (a.unsupportedCompression) fail(`${name}: unsupported compression ${a.unsupportedCompression}`, i);
    const dtype = a.dtype!;
    const compression = a.compression ?? 'none';
    const size = ITEM_SIZE[dtype];
    if (Number.isNaN(a.offset)) fail(`${name}: no external offset (IMS:1000102)`, i);
    let length = a.length;
    if (Number.isNaN(length)) {
      if (compression === 'none' && !Number.isNaN(a.encodedLength)) length = a.encodedLength / size;
      else if (s.defaultArrayLength > 0) length = s.defaultArrayLength;
      else fail(`${name}: no external array length (IMS:1000103)`, i);
      if (!Number.isInteger(length)) fail(`${name}: encoded length ${a.encodedLength} is not a multiple of ${size}`, i);
    }
    if (length > MAX_POINTS) fail(`${name}: external array length ${length} is implausibly large`, i);
    // Uncompressed data has exactly length * itemsize bytes, whatever the encoded length says.
    let encodedLength = length * size;
    if (compression === 'zlib') {
      if (Number.isNaN(a.encodedLength)) fail(`${name}: zlib-compressed but no external encoded length (IMS:1000104)`, i);
      encodedLength = a.encodedLength;
      if (encodedLength > MAX_U32) fail(`${name}: external encoded length ${encodedLength} is implausibly large`, i);
      if (length * size > encodedLength * ZLIB_MAX_RATIO + 64) {
        fail(`${name}: ${length} values cannot come from ${encodedLength} zlib bytes`, i);
      }
    }
    const ref: ArrayRef = { offset: a.offset, length, encodedLength, dtype, compression };
    if (a.kind === 'mz') {
      if (s.mz) fail('two m/z arrays', i);
      s.mz = ref;
    } else {
      if (s.intensity) fail('two intensity arrays', i);
      s.intensity = ref;
    }
  }

  function closeSpectrum(s: SpectrumState): void {
    const i = index();
    if (!s.mz) fail('no m/z array (MS:1000514)', i);
    if (!s.intensity) fail('no intensity array (MS:1000515)', i);
    if (Number.isNaN(s.x) || Number.isNaN(s.y)) fail('no position x/y (IMS:1000050/IMS:1000051)', i);
    if (s.x < 1 || s.y < 1) fail(`position (${s.x}, ${s.y}) is not 1-based`, i);
    if (s.x > 0x7fffffff || s.y > 0x7fffffff) fail(`position (${s.x}, ${s.y}) is implausibly large`, i);
    out.table.push(s.x, s.y, s.mz!, s.intensity!);
  }

  function onOpen(tag: SaxesTagPlain): void {
    const attrs = tag.attributes as Record<string, string>;
    switch (localName(tag.name)) {
      case 'mzML':
        sawRoot = true;
        break;
      case 'cvParam': {
        const accession = attrs.accession ?? '';
        const value = attrs.value ?? '';
        if (group) group.push({ accession, value });
        else applyParam(accession, value);
        break;
      }
      case 'referenceableParamGroup':
        group = [];
        groups.set(attrs.id ?? '', group);
        break;
      case 'referenceableParamGroupRef':
        if (group) fail('a referenceableParamGroup refers to another group');
        applyGroup(attrs.ref ?? '', !spectrum);
        break;
      case 'spectrumList': {
        sawSpectrumList = true;
        const declared = Number(attrs.count);
        const hint = Math.min(declared, src.size / MIN_SPECTRUM_XML_BYTES, 1 << 22);
        if (out.table.count === 0 && Number.isFinite(hint) && hint > 1024) out.table = new SpectrumTable(hint);
        break;
      }
      case 'spectrum':
        if (spectrum) fail('a spectrum inside a spectrum', index());
        spectrum = { x: NaN, y: NaN, defaultArrayLength: 0, mz: null, intensity: null };
        if (attrs.defaultArrayLength !== undefined) {
          spectrum.defaultArrayLength = count(attrs.defaultArrayLength, 'defaultArrayLength');
        }
        break;
      case 'binaryDataArray':
        if (!spectrum) break;
        if (array) fail('a binaryDataArray inside a binaryDataArray', index());
        array = {
          kind: null,
          dtype: null,
          unsupportedDtype: null,
          compression: null,
          unsupportedCompression: null,
          offset: NaN,
          length: NaN,
          encodedLength: NaN,
        };
        break;
    }
  }

  function onClose(tag: SaxesTagPlain): void {
    switch (localName(tag.name)) {
      case 'referenceableParamGroup':
        group = null;
        break;
      case 'referenceableParamGroupList':
        resolvePendingFileRefs();
        break;
      case 'binaryDataArray':
        if (array) closeArray(array);
        array = null;
        break;
      case 'spectrum':
        if (spectrum) closeSpectrum(spectrum);
        spectrum = null;
        break;
    }
  }

  const parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  parser.on('opentag', onOpen);
  parser.on('closetag', onClose);
  // Stop at the first well-formedness error: later events from a broken document would only
  // produce confusing follow-on errors. The throw propagates out of parser.write().
  parser.on('error', (e) => {
    const m = /^(\d+):(\d+): (.*)$/s.exec(e.message);
    fail(m ? `malformed XML at line ${m[1]}, column ${Number(m[2]) + 1}: ${m[3]}` : `malformed XML: ${e.message}`);
  });

  let decoder: TextDecoder | null = null;
  let offset = 0;
  while (offset < src.size) {
    // The first read covers the XML declaration, which names the encoding.
    const want = Math.min(decoder ? chunkSize : Math.max(chunkSize, 256), src.size - offset);
    const bytes = await src.read(offset, want);
    if (bytes.length !== want) fail(`could only read ${offset + bytes.length} of ${src.size} bytes`);
    decoder ??= new TextDecoder(detectEncoding(bytes));
    offset += bytes.length;
    parser.write(decoder.decode(bytes, { stream: true }));
  }
  if (decoder) parser.write(decoder.decode());
  parser.close();

  if (!sawRoot) fail('not an imzML file (no <mzML> element)');
  if (!sawSpectrumList || out.table.count === 0) fail('the header lists no spectra');
  resolvePendingFileRefs();
  out.table.trim();
  return out;
}
