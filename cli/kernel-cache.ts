// The kernels of earlier runs, kept on disk so the next run can create their pipelines in the
// background while it reads its input (Runtime.prewarm): a warm start without waiting for the
// ~44 pipelines of a training step one by one. The cache only speeds things up: a missing,
// unreadable or stale file is ignored, and a failed write is silent.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KernelSource, Runtime } from '../engine/index.ts';

const VERSION = 1;
/** Most recent kernels kept: a few image sizes' and options' worth. */
const MAX_KERNELS = 400;

/** $MSINET_CACHE_DIR, else $XDG_CACHE_HOME/msinet-webgpu, else ~/.cache/msinet-webgpu. */
export function kernelCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.MSINET_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'msinet-webgpu');
  return join(dir, 'kernels.json');
}

function isSource(k: unknown): k is KernelSource {
  const s = k as KernelSource;
  return !!s && typeof s.key === 'string' && typeof s.code === 'string' && typeof s.entry === 'string' && Array.isArray(s.access);
}

/** The saved kernels for this adapter ([] when there is no usable file). */
export function readKernelCache(file: string, adapter: string): KernelSource[] {
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; adapter?: string; kernels?: unknown[] };
    if (j.version !== VERSION || j.adapter !== adapter || !Array.isArray(j.kernels)) return [];
    return j.kernels.filter(isSource);
  } catch {
    return [];
  }
}

/** Saves this run's kernels first, then earlier ones not used this time, up to MAX_KERNELS. */
export function writeKernelCache(file: string, adapter: string, used: readonly KernelSource[], earlier: readonly KernelSource[]): void {
  const keys = new Set(used.map((k) => k.key));
  const kernels = [...used, ...earlier.filter((k) => !keys.has(k.key))].slice(0, MAX_KERNELS);
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: VERSION, adapter, kernels }));
    renameSync(tmp, file);
  } catch {
    // A read-only home or a full disk costs the next run its warm start, nothing else.
  }
}

/** Starts prewarming from the cache; returns a function that saves the runtime's kernels. */
export function useKernelCache(rt: Runtime, adapter: string, env: NodeJS.ProcessEnv = process.env): { warming: Promise<number>; save: () => void } {
  if (env.MSINET_KERNEL_CACHE === 'off') return { warming: Promise.resolve(0), save: () => {} };
  const file = kernelCacheFile(env);
  const earlier = readKernelCache(file, adapter);
  const warming = earlier.length ? rt.prewarm(earlier).catch(() => 0) : Promise.resolve(0);
  return { warming, save: () => writeKernelCache(file, adapter, rt.kernelSources(), earlier) };
}
