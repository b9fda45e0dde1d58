// Faults on demand, for the tests that check a run survives them (issue 9). Inactive unless the
// environment variable MSINET_TEST_FAULT is set, as "<fault>@<where>":
//   signal:SIGINT@training      the process sends itself the signal when it enters the phase
//   device-lost@training        the GPU device is destroyed when training reports progress
//   enospc@segments.csv         writing that output file fails with ENOSPC
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';

function parse(): { fault: string; where: string } | null {
  const v = process.env.MSINET_TEST_FAULT;
  const m = v ? /^([\w:-]+)@([\w.-]+)$/.exec(v) : null;
  return m ? { fault: m[1]!, where: m[2]! } : null;
}

/** Called by a command as it enters each phase. */
export function injectFault(phase: string, hooks: { destroyDevice?: () => void } = {}): void {
  const f = parse();
  if (!f || f.where !== phase) return;
  if (f.fault.startsWith('signal:')) process.kill(process.pid, f.fault.slice(7) as NodeJS.Signals);
  else if (f.fault === 'device-lost') hooks.destroyDevice?.();
}

/** A writeFile that fails with ENOSPC for the named file, when that fault is requested. */
export function faultyWriteFile(): ((path: string, data: Uint8Array | string) => Promise<void>) | undefined {
  const f = parse();
  if (!f || f.fault !== 'enospc') return undefined;
  return async (path, data) => {
    if (basename(path) === f.where) {
      // Half the file reaches the disk before it fills, as in the real thing.
      await writeFile(path, typeof data === 'string' ? data.slice(0, data.length >> 1) : data.subarray(0, data.length >> 1));
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC' });
    }
    await writeFile(path, data);
  };
}
