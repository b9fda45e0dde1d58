// Controlled-vocabulary accessions the reader and writer use. Matching is by accession only:
// writers disagree on names ("max count of pixel x" vs "max count of pixels x"), never on
// accessions. Sources: psi-ms.obo (MS:) and imagingMS.obo (IMS:).
import type { Compression, ImzmlMode, NumericDtype } from './types.ts';

export const CV = {
  // file content
  continuous: 'IMS:1000030',
  processed: 'IMS:1000031',
  /** Non-standard "processed" written by some tools (e.g. MALDIquantForeign). */
  processedAlt: 'IMS:1000032',
  uuid: 'IMS:1000080',
  ibdMd5: 'IMS:1000090',
  ibdSha1: 'IMS:1000091',
  // scan settings
  maxCountX: 'IMS:1000042',
  maxCountY: 'IMS:1000043',
  maxDimensionX: 'IMS:1000044',
  maxDimensionY: 'IMS:1000045',
  pixelSizeX: 'IMS:1000046',
  pixelSizeY: 'IMS:1000047',
  // spectrum
  positionX: 'IMS:1000050',
  positionY: 'IMS:1000051',
  // binary data array
  externalData: 'IMS:1000101',
  externalOffset: 'IMS:1000102',
  externalArrayLength: 'IMS:1000103',
  externalEncodedLength: 'IMS:1000104',
  mzArray: 'MS:1000514',
  intensityArray: 'MS:1000515',
  noCompression: 'MS:1000576',
  zlibCompression: 'MS:1000574',
  // misc terms the writer emits
  ms1Spectrum: 'MS:1000579',
  msLevel: 'MS:1000511',
  profileSpectrum: 'MS:1000128',
  centroidSpectrum: 'MS:1000127',
  increasingMzScan: 'MS:1000093',
  noCombination: 'MS:1000795',
  customSoftware: 'MS:1000799',
  fileFormatConversion: 'MS:1000530',
  mzUnit: 'MS:1000040',
  countsUnit: 'MS:1000131',
  micrometer: 'UO:0000017',
} as const;

export const MODE_BY_ACCESSION: Readonly<Record<string, ImzmlMode>> = {
  [CV.continuous]: 'continuous',
  [CV.processed]: 'processed',
  [CV.processedAlt]: 'processed',
};

/** Binary data types. IMS:1000141/1000142 are the older imagingMS.obo integer terms. */
export const DTYPE_BY_ACCESSION: Readonly<Record<string, NumericDtype>> = {
  'MS:1000521': 'f32',
  'MS:1000523': 'f64',
  'MS:1000519': 'i32',
  'MS:1000522': 'i64',
  'IMS:1000141': 'i32',
  'IMS:1000142': 'i64',
};

export const DTYPE_ACCESSION: Readonly<Record<NumericDtype, { accession: string; name: string }>> = {
  f32: { accession: 'MS:1000521', name: '32-bit float' },
  f64: { accession: 'MS:1000523', name: '64-bit float' },
  i32: { accession: 'MS:1000519', name: '32-bit integer' },
  i64: { accession: 'MS:1000522', name: '64-bit integer' },
};

/** Binary data types that exist in the CV but that this reader does not decode. */
export const UNSUPPORTED_DTYPES: Readonly<Record<string, string>> = {
  'MS:1000520': '16-bit float',
  'MS:1001479': 'null-terminated ASCII string',
};

export const COMPRESSION_BY_ACCESSION: Readonly<Record<string, Compression>> = {
  [CV.noCompression]: 'none',
  [CV.zlibCompression]: 'zlib',
};

/** Compression schemes in the CV that this reader does not decode (MS-Numpress family). */
export const UNSUPPORTED_COMPRESSIONS: Readonly<Record<string, string>> = {
  'MS:1002312': 'MS-Numpress linear prediction',
  'MS:1002313': 'MS-Numpress positive integer',
  'MS:1002314': 'MS-Numpress short logged float',
  'MS:1002746': 'MS-Numpress linear prediction followed by zlib',
  'MS:1002747': 'MS-Numpress positive integer followed by zlib',
  'MS:1002748': 'MS-Numpress short logged float followed by zlib',
};

export const ITEM_SIZE: Readonly<Record<NumericDtype, number>> = { f32: 4, f64: 8, i32: 4, i64: 8 };
