// Browser entry: a File/Blob as a ByteSource, and the reader over a header + .ibd pair of
// Blobs (e.g. from <input type="file" multiple>). Blob.slice reads only the requested range,
// so a multi-GB .ibd is never loaded whole. No Node built-ins in this path.
import { openImzmlSources, type ImzmlReader } from './reader.ts';
import type { ByteSource } from './types.ts';

export function blobSource(blob: Blob, name?: string): ByteSource {
  return {
    name: name ?? ((blob as File).name || 'blob'),
    size: blob.size,
    async read(offset: number, length: number): Promise<Uint8Array> {
      const end = Math.min(blob.size, offset + length);
      if (offset >= end) return new Uint8Array(0);
      return new Uint8Array(await blob.slice(offset, end).arrayBuffer());
    },
  };
}

export function openImzmlFromBlobs(headerBlob: Blob, ibdBlob: Blob): Promise<ImzmlReader> {
  return openImzmlSources(
    blobSource(headerBlob, (headerBlob as File).name || 'header.imzML'),
    blobSource(ibdBlob, (ibdBlob as File).name || 'data.ibd'),
  );
}
