// Shared by the CLI tests: run `msinet` as a child process (sync or async), small images made
// here, and checks on an output folder.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '../../io/npy.ts';
import { Random } from '../../engine/random.ts';

export const bin = new URL('../../bin/msinet.js', import.meta.url).pathname;

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

export function runCli(args: string[], o: RunOptions = {}): RunResult {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: o.cwd,
    env: { ...process.env, XDG_RUNTIME_DIR: '/tmp', ...o.env },
    timeout: o.timeoutMs ?? 240_000,
  });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

/** Starts `msinet` without waiting; `done` resolves when it exits. */
export function startCli(args: string[], o: RunOptions = {}) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: o.cwd, env: { ...process.env, XDG_RUNTIME_DIR: '/tmp', ...o.env } });
  let out = '', err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise<RunResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out, err })));
  return { child, done, stderr: () => err };
}

export function tempDir(prefix = 'msinet-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** H x W x C image: left half one profile, right half another, plus noise. */
export function twoRegions(h: number, w: number, c = 3, seed = 1): Float32Array {
  const r = new Random(seed);
  const x = new Float32Array(h * w * c);
  for (let i = 0; i < h * w; i++) {
    const t = i % w < w / 2 ? 0 : 1;
    for (let k = 0; k < c; k++) x[i * c + k] = (k % 2 === t ? 5 : 1) + r.normal(0, 0.2);
  }
  return x;
}

export function writeCube(path: string, h: number, w: number, c = 3): string {
  writeFileSync(path, encodeNpy(twoRegions(h, w, c), [h, w, c]));
  return path;
}

/** The files of a folder with their bytes, hidden entries included, for before/after checks. */
export function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    try {
      out[name] = readFileSync(p).toString('base64');
    } catch {
      out[name] = '<folder>';
    }
  }
  return out;
}
