// Node: a file on disk as a ByteSource (positional reads on one open handle).
import { open } from 'node:fs/promises';
import type { ByteSource } from './types.ts';

export async function fileSource(path: string): Promise<ByteSource> {
  const fh = await open(path, 'r');
  let size: number;
  try {
    const st = await fh.stat();
    // open() succeeds on a directory; reading it would fail later with a less clear EISDIR.
    if (st.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
    size = st.size;
  } catch (e) {
    await fh.close();
    throw e;
  }
  let closed = false;
  return {
    name: path,
    size,
    async read(offset: number, length: number): Promise<Uint8Array> {
      const want = Math.max(0, Math.min(length, size - offset));
      // A fresh (unpooled) buffer: byteOffset 0 keeps typed-array views aligned.
      const buf = new Uint8Array(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await fh.read(buf, got, want - got, offset + got);
        if (bytesRead === 0) break; // file shrank under us: return what there is
        got += bytesRead;
      }
      return got === want ? buf : buf.subarray(0, got);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await fh.close();
    },
  };
}
