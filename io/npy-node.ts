// Node file access for .npy: the only place npy code touches the file system.
import { readFile, writeFile } from 'node:fs/promises';
import { encodeNpy, NpyError, parseNpy, type NpyArray, type NpyWritable } from './npy.ts';

export async function readNpyFile(path: string): Promise<NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NpyError(path, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${(e as Error).message})`);
  }
  return parseNpy(bytes, path);
}

export async function writeNpyFile(path: string, data: NpyWritable, shape: readonly number[]): Promise<void> {
  await writeFile(path, encodeNpy(data, shape));
}
