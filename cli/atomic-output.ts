// Writes a command's result files into DIR atomically enough for users and scripts: everything
// goes to a temporary folder beside DIR first and is moved in at the end, report.json last, so
// a failed run never leaves files that look complete (report.json's presence means the rest is).
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** files: [name, bytes or text] with report.json last. Returns the written paths. */
export async function writeFilesAtomically(outDir: string, files: ReadonlyArray<readonly [string, Uint8Array | string]>): Promise<string[]> {
  const dir = resolve(outDir);
  await mkdir(dirname(dir), { recursive: true });
  const tmp = await mkdtemp(join(dirname(dir), '.msinet-tmp-'));
  try {
    for (const [name, data] of files) await writeFile(join(tmp, name), data);
    await mkdir(dir, { recursive: true });
    await rm(join(dir, 'report.json'), { force: true });
    for (const [name] of files) await rename(join(tmp, name), join(dir, name));
    return files.map(([name]) => join(dir, name));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
