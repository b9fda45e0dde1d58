// A ByteSource over bytes already in memory (tests, fuzzing, small downloads).
import type { ByteSource } from './types.ts';

export function bytesSource(name: string, data: Uint8Array): ByteSource {
  return {
    name,
    size: data.length,
    async read(offset: number, length: number): Promise<Uint8Array> {
      const start = Math.min(Math.max(0, offset), data.length);
      return data.subarray(start, Math.min(data.length, start + Math.max(0, length)));
    },
  };
}
