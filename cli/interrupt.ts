// SIGINT / SIGTERM for long commands: run the registered synchronous cleanups (remove a staging
// folder, release the run lock, remove folders this run created), print one line naming the
// phase that was interrupted, and exit 130 / 143 (128 + signal number, as shells do).
// Result sets are committed by synchronous renames, which a JS signal handler cannot split, so
// an interrupt either comes before the commit (nothing new written) or after it (all written).

const cleanups = new Set<() => void>();
let phase = 'starting';
let installed = false;

const EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** What the command is doing now, for the interrupt message ("reading", "training", ...). */
export function setPhase(p: string): void {
  phase = p;
}

export function currentPhase(): string {
  return phase;
}

/** Registers a synchronous cleanup to run on interrupt; returns a function that unregisters it. */
export function onInterrupt(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Runs every registered cleanup once, newest first (also used on ordinary errors). */
export function runCleanups(): void {
  for (const c of [...cleanups].reverse()) {
    cleanups.delete(c);
    try {
      c();
    } catch {
      /* best effort: the others must still run */
    }
  }
}

export function installInterruptHandlers(command: string): void {
  if (installed) return;
  installed = true;
  for (const signal of Object.keys(EXIT)) {
    process.on(signal, () => {
      runCleanups();
      const after = phase === 'done';
      process.stderr.write(`\nmsinet ${command}: interrupted by ${signal} ${after ? 'after the results were written' : `while ${phase}; no results were written`}\n`);
      process.exit(EXIT[signal]);
    });
  }
}
