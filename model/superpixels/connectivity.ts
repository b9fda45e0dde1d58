// Connectivity clean-up after SLIC (plain TypeScript on the CPU: a flood fill is sequential
// by nature and costs a few milliseconds even at 256 x 256, less than one GPU round trip).
//
// SLIC's assignment can leave a label split into several pieces. Every 4-connected piece
// becomes its own segment; pieces smaller than `minSize` are merged into an adjacent segment;
// labels are renumbered 0..K-1 in raster order of first appearance.

export interface Segmentation {
  /** Segment id per pixel (row-major), dense in 0..count-1. */
  labels: Int32Array;
  count: number;
}

/**
 * Pieces are found by flood fill in raster order. A small piece merges into the segment of
 * the pixel left of (or above) its first pixel: that pixel is adjacent and belongs to an
 * earlier piece, so the union stays one 4-connected region. Only the piece holding pixel 0
 * has no earlier neighbour; when small it merges into the first neighbouring piece found.
 * (Achanta et al.'s enforce-connectivity rule; sizes compared are the pieces' own sizes.)
 */
export function enforceConnectivity(labels: Int32Array, height: number, width: number, minSize: number): Segmentation {
  const n = height * width;
  if (labels.length !== n) throw new Error(`connectivity: ${labels.length} labels for a ${height}x${width} image`);
  const piece = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  const sizes: number[] = [];
  const earlier: number[] = []; // piece of the left/up neighbour of the first pixel, or -1
  let firstForeign0 = -1; // for piece 0 only: a neighbouring pixel of another label

  for (let s = 0; s < n; s++) {
    if (piece[s]! >= 0) continue;
    const id = sizes.length;
    const lab = labels[s]!;
    const sx = s % width;
    earlier.push(sx > 0 ? piece[s - 1]! : s >= width ? piece[s - width]! : -1);
    let head = 0, tail = 0;
    queue[tail++] = s;
    piece[s] = id;
    while (head < tail) {
      const p = queue[head++]!;
      const x = p % width;
      // Neighbours: left, right, up, down.
      for (let d = 0; d < 4; d++) {
        let q: number;
        if (d === 0) { if (x === 0) continue; q = p - 1; }
        else if (d === 1) { if (x === width - 1) continue; q = p + 1; }
        else if (d === 2) { if (p < width) continue; q = p - width; }
        else { if (p + width >= n) continue; q = p + width; }
        if (labels[q] === lab) {
          if (piece[q]! < 0) {
            piece[q] = id;
            queue[tail++] = q;
          }
        } else if (id === 0 && firstForeign0 < 0) firstForeign0 = q;
      }
    }
    sizes.push(tail);
  }

  // parent[c] < c for every merged piece c >= 1, so roots resolve in one increasing sweep.
  const parent = Int32Array.from(sizes, (_, c) => c);
  for (let c = 1; c < sizes.length; c++) if (sizes[c]! < minSize) parent[c] = earlier[c]!;
  const root = new Int32Array(sizes.length);
  for (let c = 1; c < sizes.length; c++) root[c] = parent[c] === c ? c : root[parent[c]!]!;
  // root[] above treats piece 0 as a root; a small piece 0 now joins its neighbour's root
  // (unless that root is piece 0 itself), and pieces that resolved to 0 follow it.
  if (sizes[0]! < minSize && firstForeign0 >= 0) {
    const r = root[piece[firstForeign0]!]!;
    if (r !== 0) for (let c = 0; c < sizes.length; c++) if (root[c] === 0) root[c] = r;
  }
  const dense = new Int32Array(sizes.length).fill(-1);
  const out = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = root[piece[i]!]!;
    if (dense[r]! < 0) dense[r] = count++;
    out[i] = dense[r]!;
  }
  return { labels: out, count };
}
