// Property checks shared by the superpixel tests (SLIC, Felzenszwalb, connectivity).
import * as assert from 'uvu/assert';

/** Labels are exactly 0..count-1, each used at least once. */
export function assertDense(labels: Int32Array, count: number, what = 'labels'): void {
  const seen = new Uint8Array(count);
  for (const l of labels) {
    assert.ok(l >= 0 && l < count, `${what}: label ${l} outside 0..${count - 1}`);
    seen[l] = 1;
  }
  const missing = seen.indexOf(0);
  assert.is(missing, -1, `${what}: label ${missing} unused`);
}

/** Every label forms a single 4-connected region (one flood fill per label covers it all). */
export function assertFourConnected(labels: Int32Array, height: number, width: number, what = 'labels'): void {
  const n = height * width;
  const visited = new Uint8Array(n);
  const started = new Set<number>();
  const stack: number[] = [];
  for (let s = 0; s < n; s++) {
    if (visited[s]) continue;
    const l = labels[s]!;
    assert.not.ok(started.has(l), `${what}: label ${l} has a second piece starting at pixel ${s} (${s % width}, ${Math.floor(s / width)})`);
    started.add(l);
    visited[s] = 1;
    stack.push(s);
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % width;
      const nbrs = [x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, p - width, p + width];
      for (const q of nbrs) {
        if (q < 0 || q >= n || visited[q] || labels[q] !== l) continue;
        visited[q] = 1;
        stack.push(q);
      }
    }
  }
}

/** Segment sizes (bincount). */
export function sizesOf(labels: Int32Array, count: number): number[] {
  const s = new Array<number>(count).fill(0);
  for (const l of labels) s[l]!++;
  return s;
}

/** Fraction of pixels whose ground-truth region is their segment's majority region. */
export function purity(labels: Int32Array, truth: ArrayLike<number>): number {
  const counts = new Map<number, Map<number, number>>();
  for (let i = 0; i < labels.length; i++) {
    let m = counts.get(labels[i]!);
    if (!m) counts.set(labels[i]!, (m = new Map()));
    m.set(truth[i]!, (m.get(truth[i]!) ?? 0) + 1);
  }
  let good = 0;
  for (const m of counts.values()) good += Math.max(...m.values());
  return good / labels.length;
}

/** Integer hash in [0, 1) (same formula as fixtures/felzenszwalb_skimage.py). */
export function hashUnit(i: number, seed: number): number {
  let x = Math.imul(i + seed * 7919, 2654435761) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 2246822519) >>> 0;
  x = (x ^ (x >>> 13)) >>> 0;
  return x / 4294967296;
}
