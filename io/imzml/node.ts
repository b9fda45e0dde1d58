// Node entry: open an imzML pair by the path of its header. The .ibd is the file beside it with
// the same base name and an .ibd extension in any case (x.imzML -> x.ibd or x.IBD).
import { readdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { ImzmlError } from './errors.ts';
import { fileSource } from './node-source.ts';
import { openImzmlSources, type ImzmlReader, type ReaderOptions } from './reader.ts';
import type { ByteSource } from './types.ts';

export type { ImzmlReader } from './reader.ts';
export { ImzmlError } from './errors.ts';
export { writeImzml } from './writer.ts';

/** The .ibd path for a header path, or null if none is there. */
export function findIbd(headerPath: string): string | null {
  const dir = dirname(headerPath);
  const ext = extname(headerPath);
  const stem = basename(headerPath, ext).toLowerCase();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  const exact = `${basename(headerPath, ext)}.ibd`;
  if (names.includes(exact)) return join(dir, exact);
  const found = names.find((f) => f.toLowerCase() === `${stem}.ibd`);
  return found === undefined ? null : join(dir, found);
}

async function openSource(path: string, what: string): Promise<ByteSource> {
  try {
    return await fileSource(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new ImzmlError(path, `cannot open ${what}: ${why}`);
  }
}

export async function openImzml(path: string, opts: ReaderOptions = {}): Promise<ImzmlReader> {
  const header = await openSource(path, 'imzML header');
  const ibdPath = findIbd(path);
  if (ibdPath === null) {
    await header.close?.();
    const ext = extname(path);
    throw new ImzmlError(path, `binary file not found: expected ${basename(path, ext)}.ibd beside it`);
  }
  let ibd: ByteSource;
  try {
    ibd = await openSource(ibdPath, '.ibd');
  } catch (e) {
    await header.close?.();
    throw e;
  }
  try {
    return await openImzmlSources(header, ibd, opts);
  } catch (e) {
    await Promise.all([header.close?.(), ibd.close?.()]);
    throw e;
  }
}
