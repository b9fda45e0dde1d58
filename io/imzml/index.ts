// Browser-safe entry to the imzML reader (no Node built-ins below this file). Node code opens
// files with `openImzml` from ./node.ts; the writer (Node) is ./writer.ts.
export * from './types.ts';
export { ImzmlError, isImzmlError } from './errors.ts';
export { openImzmlSources, DEFAULT_MAX_SPECTRUM_POINTS, type ImzmlReader, type ReaderOptions } from './reader.ts';
export { canonicalUuid, normalizeUuid } from './uuid.ts';
export { openImzmlFromBlobs, blobSource } from './blob-source.ts';
export { bytesSource } from './bytes-source.ts';
export { SpectrumTable } from './spectrum-table.ts';
export { summarizeImzml, type ImzmlSummary, type SpectrumStats } from './summary.ts';
