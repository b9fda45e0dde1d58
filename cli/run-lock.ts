// One run at a time per output folder: a lock file `.msinet.lock` inside it, holding the pid,
// host and start time of its owner. A second run into the same folder is refused at once.
// A lock whose process is gone (a crash, kill -9) is stale and taken over, so a crashed run
// does not block the folder forever. All calls are synchronous so that a signal handler can
// release the lock on its way out.
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError } from './errors.ts';

export const LOCK_NAME = '.msinet.lock';

export interface RunLock {
  readonly path: string;
  /** Removes the lock if this process still owns it; safe to call twice. */
  release(): void;
}

interface LockOwner {
  pid: number;
  host: string;
  started: string;
  command: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return Number.isInteger(o.pid) && typeof o.host === 'string' ? o : null;
  } catch {
    return null;
  }
}

function ioError(dir: string, e: unknown): UserError {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : code === 'ENOSPC' ? 'no space left on device' : (e as Error).message;
  return new UserError(`cannot write into the output folder ${dir}: ${why}${code && !why.includes(code) ? ` (${code})` : ''}`);
}

/** Takes the lock of `dir` for `command`, or throws a UserError naming the run that holds it. */
export function acquireRunLock(dir: string, command: string): RunLock {
  const path = join(dir, LOCK_NAME);
  const owner: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command };
  // The lock appears with its content in one step (link of a finished file), so another run
  // never reads a half-written lock.
  const draft = join(dir, `${LOCK_NAME}.${process.pid}`);
  try {
    writeFileSync(draft, JSON.stringify(owner) + '\n');
  } catch (e) {
    throw ioError(dir, e);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(draft, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(dir, e);
      }
      const other = readOwner(path);
      const stale = other !== null && other.host === owner.host && !alive(other.pid);
      if (!stale || attempt > 0) {
        const who = other ? `msinet ${other.command} (pid ${other.pid} on ${other.host}, started ${other.started})` : 'another msinet run';
        throw new UserError(`${dir} is in use by ${who}; wait for it to finish, or delete ${path} if that run is gone`);
      }
      // Stale: move it aside (only one of several racing runs succeeds), then try once more.
      try {
        renameSync(path, `${path}.stale.${process.pid}`);
        unlinkSync(`${path}.stale.${process.pid}`);
      } catch {
        /* another run took it over first; the next link attempt tells */
      }
    }
  } finally {
    try {
      unlinkSync(draft);
    } catch {
      /* already gone */
    }
  }
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      if (readOwner(path)?.pid === process.pid) {
        try {
          unlinkSync(path);
        } catch {
          /* removed by hand */
        }
      }
    },
  };
}
