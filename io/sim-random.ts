// Seeded randomness for the simulator. Every stream is derived from (seed, purpose, index) by
// hashing, so a pixel's spectrum can be generated on its own, in any order, and still be the
// same bytes: the browser can draw pixels lazily and the CLI can stream them.

/** splitmix32-style finaliser: a well-mixed 32-bit hash of a 32-bit value. */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** Hash of several integers (seed, stream id, index ...). */
export function hashInts(...xs: number[]): number {
  let h = 0x243f6a88;
  for (const x of xs) h = mix32(h ^ mix32(x >>> 0));
  return h;
}

export class Rng {
  private s: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** mulberry32: uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box-Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const u = Math.max(this.next(), 1e-300), v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal factor with mean 1: exp(sigma z - sigma^2 / 2). */
  lognormal(sigma: number): number {
    return sigma > 0 ? Math.exp(sigma * this.normal() - (sigma * sigma) / 2) : 1;
  }

  /**
   * Poisson count. Knuth's product method below mean 30 (exact); above, the normal
   * approximation N(lambda, lambda) rounded and clamped at 0, whose error there is far below
   * the noise it models.
   */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0, p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      return k;
    }
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
