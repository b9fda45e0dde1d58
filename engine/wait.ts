// Waiting for the GPU without spinning. Dawn's Node binding resolves mapAsync /
// onSubmittedWorkDone by polling on the JavaScript thread, which keeps one CPU core busy for
// as long as the wait lasts. On a CPU adapter (lavapipe) that core is one the "GPU" itself
// needs: ten 70x70 conv layers took 1.85 s awaited at once and 1.03 s when the process slept
// through most of the work first (scratch measurement on 2 cores, README figures from the bench).
// So the runtime sleeps until the work it submitted is expected to be done, then awaits.
//
// The expectation is learnt per "shape" of submitted work (how many dispatches, which kernels
// first and last): a training loop submits the same shape every step. The sleep aims at 85% of
// the last observed duration, so an overslept step (which hides how long the work really took)
// shortens the next sleep geometrically until the wait is observed again. The estimate is the
// smaller of the last two observations, so a one-off slow step (the first one, which may still
// be compiling pipelines) never makes the next one sleep long.

const AIM = 0.85;
/** Below this the sleep is not worth a timer. */
const MIN_SLEEP_MS = 2;

export class WaitClock {
  /** Per shape: the last two observed durations. */
  private readonly observed = new Map<string, [number, number]>();
  /** Work submitted since the last completed wait: its shape and when its first part was submitted. */
  private dispatches = 0;
  private firstKey = '';
  private lastKey = '';
  private since = 0;
  private deadline = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A dispatch was recorded (called for every one). */
  noteDispatch(key: string): void {
    if (this.dispatches === 0) this.firstKey = key;
    this.lastKey = key;
    this.dispatches++;
  }

  /** Recorded work was submitted. */
  noteSubmit(): void {
    if (this.dispatches === 0) return;
    const t = this.now();
    if (this.since === 0) this.since = t;
    const seen = this.observed.get(this.shape());
    // Sleeps only once the shape has been seen twice (min(Infinity, x) would trust one look).
    if (seen && seen[0] !== Infinity) this.deadline = Math.max(this.deadline, this.since + AIM * Math.min(seen[0], seen[1]));
  }

  /** How long to sleep before awaiting completion. */
  sleepMs(): number {
    const ms = this.deadline - this.now();
    return ms >= MIN_SLEEP_MS ? ms : 0;
  }

  /** A wait completed: everything submitted so far is done. */
  noteDone(): void {
    if (this.dispatches > 0 && this.since > 0) {
      const key = this.shape(), ms = this.now() - this.since;
      const prev = this.observed.get(key);
      this.observed.set(key, [prev ? prev[1] : Infinity, ms]);
    }
    this.dispatches = 0;
    this.since = 0;
    this.deadline = 0;
  }

  private shape(): string {
    return `${this.dispatches}|${this.firstKey}|${this.lastKey}`;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
