// Replaces a folder's result set (e.g. labels.npy, segmentation.png, segments.csv, report.json)
// so that the previous complete set stays complete until the new one is complete.
//
//   1. stage: every new file is written into `DIR/.msinet-staging-<id>/` (inside DIR, so a
//      writable DIR under a read-only parent works, and renames stay on one file system). A
//      failure here (disk full, interrupt) removes the staging folder; DIR is untouched.
//   2. commit, synchronously (no signal handler can run in between): the old files move into
//      `DIR/.msinet-previous-<id>/`, commit record first, then the new files move in, commit
//      record last. If a rename fails, the moves are undone in reverse order.
//   3. the previous set and the staging folder are deleted.
// The commit record (report.json) lists every file of its set with size and SHA-256, so a
// reader can check a set, and is present only when its set is. A run killed with SIGKILL in
// the middle of step 2 leaves `.msinet-previous-*`; the next run into DIR (under the lock)
// calls recoverResultSet, which puts the previous set back.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { writeFile as fsWriteFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from './errors.ts';

const STAGING = '.msinet-staging-';
const PREVIOUS = '.msinet-previous-';

export interface ManifestEntry {
  bytes: number;
  sha256: string;
}
export type Manifest = Record<string, ManifestEntry>;

export interface ResultSet {
  /** The data files, in writing order. */
  files: Array<{ name: string; data: Uint8Array | string }>;
  /** The commit record, written and moved in last; built from the manifest of the data files. */
  commit: { name: string; data: (manifest: Manifest) => string };
}

export interface WriteOptions {
  /** Replaces fs.promises.writeFile (tests inject failures such as ENOSPC). */
  writeFile?: (path: string, data: Uint8Array | string) => Promise<void>;
  /** Replaces fs.renameSync in the commit (tests inject a failing rename to check the undo). */
  rename?: (from: string, to: string) => void;
  /** Called with a synchronous cleanup while staging; pass it to the interrupt handler. */
  onStaging?: (cleanup: (() => void) | null) => void;
}

function describeIoError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = { ENOSPC: 'no space left on device', EDQUOT: 'disk quota exceeded', EACCES: 'permission denied', EROFS: 'read-only file system', EIO: 'input/output error' };
  return code && words[code] ? `${words[code]} (${code})` : (e as Error).message;
}

function manifestOf(files: ResultSet['files']): Manifest {
  const m: Manifest = {};
  for (const f of files) {
    const bytes = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : f.data;
    m[f.name] = { bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  return m;
}

/** Writes `set` into `dir` (which must exist and be locked by the caller); returns the paths. */
export async function writeResultSet(dir: string, set: ResultSet, opts: WriteOptions = {}): Promise<string[]> {
  const write = opts.writeFile ?? ((p, d) => fsWriteFile(p, d));
  const id = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = join(dir, STAGING + id);
  const cleanup = () => rmSync(staging, { recursive: true, force: true });
  const commitText = set.commit.data(manifestOf(set.files));
  const all = [...set.files, { name: set.commit.name, data: commitText }];
  opts.onStaging?.(cleanup);
  try {
    mkdirSync(staging);
    for (const f of all) {
      try {
        await write(join(staging, f.name), f.data);
      } catch (e) {
        throw new UserError(`cannot write ${join(dir, f.name)}: ${describeIoError(e)}; the previous results in ${dir} are unchanged`);
      }
    }
    commit(dir, id, staging, all.map((f) => f.name), opts.rename ?? renameSync);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot write the results into ${dir}: ${describeIoError(e)}; the previous results there are unchanged`);
  } finally {
    cleanup();
    opts.onStaging?.(null);
  }
  return all.map((f) => join(dir, f.name));
}

/** Step 2: the old set out, the new set in, commit record last; undone if any rename fails. */
function commit(dir: string, id: string, staging: string, names: string[], rename: (from: string, to: string) => void): void {
  const previous = join(dir, PREVIOUS + id);
  const record = names[names.length - 1]!;
  const done: Array<[string, string]> = [];
  const move = (from: string, to: string) => {
    rename(from, to);
    done.push([from, to]);
  };
  mkdirSync(previous);
  try {
    for (const name of [record, ...names.slice(0, -1)]) if (existsSync(join(dir, name))) move(join(dir, name), join(previous, name));
    for (const name of names) move(join(staging, name), join(dir, name));
  } catch (e) {
    for (const [from, to] of done.reverse()) {
      try {
        renameSync(to, from);
      } catch {
        /* keep undoing the others; recoverResultSet finishes the job next time */
      }
    }
    try {
      rmSync(previous, { recursive: true, force: true });
    } catch {
      /* left for recoverResultSet */
    }
    throw e;
  }
  rmSync(previous, { recursive: true, force: true });
}

/**
 * Cleans up after a run that was killed outright (no chance to clean up): removes staging
 * folders and, when a commit was cut short before its record moved in, puts the previous set
 * back. Call it while holding the folder's run lock. Returns what it did, for a log line.
 */
export function recoverResultSet(dir: string, record: string): string[] {
  const did: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return did;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (name.startsWith(STAGING)) {
      rmSync(p, { recursive: true, force: true });
      did.push(`removed the unfinished ${name}`);
    } else if (name.startsWith(PREVIOUS)) {
      const saved = readdirSync(p);
      if (!existsSync(join(dir, record)) && saved.includes(record)) {
        // The new record never arrived: the previous set is the complete one. Record last.
        for (const f of saved.filter((f) => f !== record).concat(record)) renameSync(join(p, f), join(dir, f));
        did.push(`restored the previous results from ${name}`);
      }
      rmSync(p, { recursive: true, force: true });
    }
  }
  return did;
}
