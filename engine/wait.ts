// Waiting for the GPU without spinning. Dawn's Node binding resolves mapAsync /
// onSubmittedWorkDone by polling on the JavaScript thread, which keeps one CPU core busy for
// as long as the wait lasts. On a CPU adapter (lavapipe) that core is one the "GPU" itself
// needs: ten 70x70 conv layers took 1.85 s awaited at once and 1.03 s when the process slept
// through most of the work first (2 cores, measured while developing this file).
// So the runtime sleeps until the work it submitted is expected to be done, then awaits.
//
// The expectation is learnt per "shape" of submitted work (how many dispatches, which kernels
// first and last): a training loop submits the same shape every step. The sleep aims at 85% of
// the smaller of the last two observed durations (a one-off slow step, such as the first one
// while pipelines compile, never makes the next one sleep long), and a shape seen once is not
// slept on. Waking to find the work already done means the sleep was too long by an unknown
// amount: the estimate then shrinks by 30% until a wait is observed again.

const AIM = 0.85;
const SHRINK = 0.7;
/** Below this the sleep is not worth a timer. */
const MIN_SLEEP_MS = 2;
/** Work found done this soon after waking counts as overslept. */
const OVERSLEPT_MS = 1.5;

interface Seen {
  last: number;
  prev: number;
}

export class WaitClock {
  private readonly seen = new Map<string, Seen>();
  /** Work submitted since the last completed wait: its shape and when its first part was submitted. */
  private dispatches = 0;
  private firstKey = '';
  private lastKey = '';
  private since = NaN;
  private deadline = 0;
  private wokeAt = 0;

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
    if (Number.isNaN(this.since)) this.since = this.now();
    const s = this.seen.get(this.shape());
    if (s && Number.isFinite(s.prev)) this.deadline = Math.max(this.deadline, this.since + AIM * Math.min(s.last, s.prev));
  }

  /** How long to sleep before awaiting completion. */
  sleepMs(): number {
    const ms = this.deadline - this.now();
    return ms >= MIN_SLEEP_MS ? ms : 0;
  }

  /** The runtime slept and is about to await completion. */
  noteWoke(): void {
    this.wokeAt = this.now();
  }

  /** A wait completed: everything submitted so far is done. */
  noteDone(): void {
    if (this.dispatches > 0 && !Number.isNaN(this.since)) {
      const key = this.shape(), t = this.now();
      const s = this.seen.get(key);
      if (s && this.wokeAt > 0 && t - this.wokeAt < OVERSLEPT_MS) {
        const est = SHRINK * Math.min(s.last, s.prev);
        s.last = s.prev = est;
      } else this.seen.set(key, { prev: s ? s.last : Infinity, last: t - this.since });
    }
    this.dispatches = 0;
    this.since = NaN;
    this.deadline = 0;
    this.wokeAt = 0;
  }

  private shape(): string {
    return `${this.dispatches}|${this.firstKey}|${this.lastKey}`;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
