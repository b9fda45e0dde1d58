// A one-line progress bar on stderr. On a TTY it redraws in place; elsewhere (CI, pipes) it
// prints at most one line every few seconds so logs stay readable.
export interface ProgressOptions {
  total: number;
  label: string;
  stream?: NodeJS.WriteStream;
}

export class Progress {
  /** The first update's time and count: the rate is measured from there, since a bar may be made
   * only once the first step has finished (a training's first iteration includes shader compiles). */
  private first: { t: number; done: number } | null = null;
  private lastPrint = 0;
  private readonly tty: boolean;
  private readonly stream: NodeJS.WriteStream;

  constructor(private opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY);
  }

  setTotal(total: number): void {
    this.opts.total = total;
  }

  update(done: number, info = ''): void {
    const now = performance.now();
    if (!this.tty && now - this.lastPrint < 3000 && done < this.opts.total) return;
    this.lastPrint = now;
    const { total, label } = this.opts;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const width = 24;
    const filled = Math.round(frac * width);
    this.first ??= { t: now, done };
    const secs = (now - this.first.t) / 1000;
    const rate = secs > 0 && done > this.first.done ? `${((done - this.first.done) / secs).toFixed(2)} it/s` : '';
    const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${info} ${rate}`.trimEnd();
    if (this.tty) this.stream.write(`\r\x1b[K${line}`);
    else this.stream.write(line + '\n');
  }

  done(message = ''): void {
    if (this.tty) this.stream.write('\r\x1b[K');
    if (message) this.stream.write(message + '\n');
  }
}
