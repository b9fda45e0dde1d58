// Runs fuzz cases in a child process with a time and a memory bound, so that a case that hangs
// or allocates gigabytes (issue 9, finding 1) is caught as a failure instead of taking the
// fuzzer down. The worker is bundled with esbuild into plain JavaScript because it runs under
// `ulimit -v` (an address-space limit: allocations past it fail at once), which tsx's own
// helper process does not start under.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { FuzzCase, Verdict } from './targets.ts';

const root = new URL('../../', import.meta.url).pathname;

export interface PoolOptions {
  /** Per-case wall-clock bound. */
  timeoutMs?: number;
  /** Address-space limit of the worker (Node itself reserves ~1 GiB of it). */
  addressSpaceMb?: number;
  /** Peak resident memory a case may reach. */
  maxRssMb?: number;
}

export interface CaseResult extends Verdict {
  ms: number;
  maxRssMb?: number;
}

export class WorkerPool {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private script: Promise<string> | null = null;
  readonly timeoutMs: number;
  readonly addressSpaceMb: number;
  readonly maxRssMb: number;

  constructor(o: PoolOptions = {}) {
    // Generous: a case legitimately near the limits (a 2^25-pixel grid) takes ~4 s alone, and the
    // fuzzer runs niced on shared cores. A hang is forever; this only has to tell them apart.
    this.timeoutMs = o.timeoutMs ?? 60_000;
    this.addressSpaceMb = o.addressSpaceMb ?? 3072;
    this.maxRssMb = o.maxRssMb ?? 1024;
  }

  private bundle(): Promise<string> {
    return (this.script ??= (async () => {
      const dir = join(root, 'node_modules', '.cache', 'msinet-fuzz');
      mkdirSync(dir, { recursive: true });
      const outfile = join(dir, 'worker.mjs');
      await build({ entryPoints: [join(root, 'test/fuzz/worker.ts')], bundle: true, platform: 'node', format: 'esm', outfile, packages: 'external', logLevel: 'error' });
      return outfile;
    })());
  }

  private async start(): Promise<ChildProcess> {
    if (this.child && this.ready) {
      await this.ready;
      return this.child;
    }
    const script = await this.bundle();
    const kb = this.addressSpaceMb * 1024;
    const child = spawn('bash', ['-c', `ulimit -v ${kb} && exec "${process.execPath}" --max-old-space-size=512 "${script}"`], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    child.stderr!.resume();
    this.child = child;
    this.ready = new Promise((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`fuzz worker did not start (exit ${code}); is the address-space limit too small?`)));
    });
    await this.ready;
    return child;
  }

  /** Kills the worker; the next case starts a fresh one. */
  stop(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
    this.ready = null;
  }

  async run(c: FuzzCase): Promise<CaseResult> {
    const child = await this.start();
    const t0 = performance.now();
    const answer = new Promise<CaseResult>((resolve) => {
      const timer = setTimeout(() => {
        cleanup();
        this.stop();
        resolve({ ok: false, outcome: 'timeout', detail: `no answer within ${this.timeoutMs} ms (a hang)`, ms: performance.now() - t0 });
      }, this.timeoutMs);
      const onMessage = (m: Verdict & { maxRssMb: number }) => {
        cleanup();
        resolve({ ...m, ms: performance.now() - t0 });
      };
      const onExit = (code: number | null, signal: string | null) => {
        cleanup();
        this.child = null;
        this.ready = null;
        resolve({ ok: false, outcome: 'worker died', detail: `worker exited (code ${code}, signal ${signal}): a crash or out of memory`, ms: performance.now() - t0 });
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
    });
    child.send(c);
    const r = await answer;
    if (r.maxRssMb !== undefined && r.maxRssMb > this.maxRssMb) {
      this.stop(); // peak RSS only grows: the next case gets a fresh worker
      return { ...r, ok: false, outcome: 'memory', detail: `peak memory ${r.maxRssMb.toFixed(0)} MB over the ${this.maxRssMb} MB bound` };
    }
    // A worker that has grown big (legitimately) is replaced so the next case is measured alone.
    if (r.maxRssMb !== undefined && r.maxRssMb > this.maxRssMb / 2) this.stop();
    return r;
  }
}
