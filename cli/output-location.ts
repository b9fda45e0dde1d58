// Checks and creates the folder a command writes its results into, before any input is read,
// so that a bad --out costs the user seconds, not a training run. Folders are created one level
// at a time: Node's recursive mkdir loops forever on paths under /proc (finding 2 of issue 9).
import { lstatSync, mkdirSync, realpathSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from './errors.ts';

export interface OutputLocation {
  /** Absolute path of the output folder (exists once prepareOutputDir returns). */
  dir: string;
  /** Folders this run created, outermost first; removeCreatedFolders() takes them away again. */
  created: string[];
}

export interface OutputCheck {
  /** File names the command will write into the folder (e.g. labels.npy). */
  outputs: readonly string[];
  /** Input files that must not be among those outputs (they would be overwritten). */
  inputs: readonly string[];
  /** Option name for messages; default "out". */
  option?: string;
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    ENOTDIR: 'a part of the path is a file',
    ENOENT: 'the file system does not allow it',
    ENAMETOOLONG: 'name too long',
    ELOOP: 'too many symbolic links',
  };
  return code && words[code] ? `${words[code]} (${code})` : (e as Error).message;
}

function lstatOrNull(p: string) {
  try {
    return lstatSync(p);
  } catch (e) {
    // ENOTDIR: a file sits higher up the path; the caller finds and names it.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
}

/**
 * Validates `out` (non-empty, a folder or creatable as one, not a dangling link, not under a
 * file) and creates it. Throws a one-line UserError otherwise. Writability is proven by the
 * caller taking the run lock inside the folder (acquireRunLock), which writes a file there.
 */
export function prepareOutputDir(out: unknown, check: OutputCheck): OutputLocation {
  const opt = `--${check.option ?? 'out'}`;
  if (typeof out !== 'string' || out.trim() === '') throw new UserError(`${opt} must name a folder, got "${String(out ?? '')}"`);
  const dir = resolve(out);
  const created: string[] = [];
  try {
    const st = lstatOrNull(dir);
    if (st?.isSymbolicLink()) {
      let target: ReturnType<typeof statSync> | null = null;
      try {
        target = statSync(dir);
      } catch {
        throw new UserError(`${opt} ${out} is a symbolic link to something that does not exist`);
      }
      if (!target.isDirectory()) throw new UserError(`${opt} ${out} is a link to a file, not a folder`);
    } else if (st && !st.isDirectory()) {
      throw new UserError(`${opt} ${out} exists and is not a folder`);
    } else if (!st) {
      // Find the nearest existing ancestor, then create the missing levels one by one.
      const missing: string[] = [];
      let p = dir;
      while (!lstatOrNull(p)) {
        missing.unshift(p);
        const up = dirname(p);
        if (up === p) break;
        p = up;
      }
      let anc: ReturnType<typeof statSync> | null = null;
      try {
        anc = statSync(p);
      } catch {
        throw new UserError(`${opt} ${out}: ${p} is a symbolic link to something that does not exist`);
      }
      if (!anc.isDirectory()) throw new UserError(`${opt} ${out}: ${p} is a file, not a folder`);
      for (const m of missing) {
        try {
          mkdirSync(m);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(m).isDirectory()) continue;
          throw new UserError(`${opt} ${out}: cannot create folder ${m}: ${reason(e)}`);
        }
        created.push(m);
      }
    }
  } catch (e) {
    removeCreatedFolders({ dir, created });
    if (e instanceof UserError) throw e;
    throw new UserError(`${opt} ${out}: ${reason(e)}`);
  }
  try {
    refuseInputOverwrite(dir, check, out, opt);
  } catch (e) {
    removeCreatedFolders({ dir, created });
    throw e;
  }
  return { dir, created };
}

function refuseInputOverwrite(dir: string, check: OutputCheck, out: string, opt: string): void {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const realDir = real(dir);
  const targets = new Map(check.outputs.map((name) => [join(realDir, name), name]));
  for (const input of check.inputs) {
    const hit = targets.get(real(input));
    if (hit) throw new UserError(`${opt} ${out} would overwrite the input ${input} with ${hit}; choose another output folder`);
  }
}

/** Removes the folders prepareOutputDir created, innermost first, as long as they are empty. */
export function removeCreatedFolders(loc: OutputLocation): void {
  for (const d of [...loc.created].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      return; // not empty (or gone): keep it and everything above it
    }
  }
}
