// Per-feature statistics gathered while spectra stream by, and the top-K feature choice made
// from them. Bins are integers over a range that grows as new bins appear, so processed data
// needs no m/z range up front. No Node built-ins.

export type Selection = 'mean' | 'variance';

export class BinStats {
  /** Bin index of slot 0. */
  private lo = 0;
  private sum = new Float64Array(0);
  private sumSq = new Float64Array(0);
  private nonzero = new Uint32Array(0);
  /** Number of rows (pixels) added, including all-zero ones. */
  rows = 0;

  /** Adds one pixel's sparse row (bins ascending). */
  add(bins: Int32Array, values: Float32Array): void {
    this.rows++;
    if (bins.length === 0) return;
    this.ensure(bins[0]!, bins[bins.length - 1]!);
    for (let k = 0; k < bins.length; k++) {
      const s = bins[k]! - this.lo, v = values[k]!;
      this.sum[s]! += v;
      this.sumSq[s]! += v * v;
      this.nonzero[s]!++;
    }
  }

  private ensure(first: number, last: number): void {
    const size = this.sum.length;
    if (size > 0 && first >= this.lo && last < this.lo + size) return;
    // Grow to cover [first, last] with slack on the side that grew, so a slowly widening range
    // costs amortised O(1) per new bin.
    const curLo = size ? this.lo : first, curHi = size ? this.lo + size - 1 : last;
    const lo = Math.min(curLo, first), hi = Math.max(curHi, last);
    const span = hi - lo + 1, slack = size ? Math.max(64, span >> 1) : 0;
    const newLo = first < curLo ? lo - slack : lo;
    const newHi = last > curHi ? hi + slack : hi;
    const len = newHi - newLo + 1, at = curLo - newLo;
    const sum = new Float64Array(len), sumSq = new Float64Array(len), nonzero = new Uint32Array(len);
    sum.set(this.sum, at);
    sumSq.set(this.sumSq, at);
    nonzero.set(this.nonzero, at);
    this.sum = sum;
    this.sumSq = sumSq;
    this.nonzero = nonzero;
    this.lo = newLo;
  }

  /** Mean and population variance over all rows of one bin (absent = 0). */
  meanVar(bin: number): { mean: number; variance: number } {
    const s = bin - this.lo;
    if (this.rows === 0 || s < 0 || s >= this.sum.length) return { mean: 0, variance: 0 };
    const mean = this.sum[s]! / this.rows;
    return { mean, variance: Math.max(0, this.sumSq[s]! / this.rows - mean * mean) };
  }

  /**
   * The K bins with the largest mean (or variance) among those with any nonzero value, ties to
   * the lower bin; returned in ascending bin order (ascending m/z).
   */
  topK(k: number, by: Selection): Int32Array {
    const cand: Array<{ bin: number; score: number }> = [];
    for (let s = 0; s < this.sum.length; s++) {
      if (this.nonzero[s] === 0) continue;
      const { mean, variance } = this.meanVar(s + this.lo);
      cand.push({ bin: s + this.lo, score: by === 'mean' ? mean : variance });
    }
    cand.sort((a, b) => b.score - a.score || a.bin - b.bin);
    return Int32Array.from(cand.slice(0, k), (c) => c.bin).sort();
  }

  /** Number of bins that had any nonzero value. */
  get occupied(): number {
    let n = 0;
    for (const c of this.nonzero) if (c > 0) n++;
    return n;
  }
}
