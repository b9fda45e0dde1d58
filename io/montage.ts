// The colocalization montage: one row per cluster, its mean image first (framed in the
// cluster's colour) then the member images, each a small grey thumbnail captioned with its
// m/z (or index) in a built-in 3x5 pixel font, so the PNG needs no font files. Pure function
// returning PNG bytes (no file access), usable in a browser as well.
import { encodePng, labelPalette } from './png.ts';

// 3x5 glyphs, rows top to bottom, 3 bits each (4 = left pixel).
const GLYPHS: Record<string, number[]> = {
  '0': [7, 5, 5, 5, 7], '1': [2, 6, 2, 2, 7], '2': [7, 1, 7, 4, 7], '3': [7, 1, 7, 1, 7], '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 7, 1, 7], '6': [7, 4, 7, 5, 7], '7': [7, 1, 1, 2, 2], '8': [7, 5, 7, 5, 7], '9': [7, 5, 7, 1, 7],
  '.': [0, 0, 0, 0, 2], '+': [0, 2, 7, 2, 0], '#': [5, 7, 5, 7, 5], C: [7, 4, 4, 4, 7], ' ': [0, 0, 0, 0, 0],
};

export interface MontageOptions {
  /** Thumbnail side in pixels (default 48). */
  thumb?: number;
  /** Members shown per cluster before a "+N" caption (default 16). */
  maxMembers?: number;
}

/** Box-filtered (shrinking) or nearest (enlarging) resampling of an [H, W] image in [0, 1] to t x t. */
function thumbnail(img: ArrayLike<number>, h: number, w: number, t: number): Float32Array {
  const out = new Float32Array(t * t);
  for (let y = 0; y < t; y++)
    for (let x = 0; x < t; x++) {
      const y0 = Math.floor((y * h) / t), y1 = Math.max(y0 + 1, Math.floor(((y + 1) * h) / t));
      const x0 = Math.floor((x * w) / t), x1 = Math.max(x0 + 1, Math.floor(((x + 1) * w) / t));
      let s = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) s += img[yy * w + xx]!;
      out[y * t + x] = s / ((y1 - y0) * (x1 - x0));
    }
  return out;
}

/**
 * images: [n, H, W] scaled to [0, 1]; clusters: [n] labels 0..k-1; captions: [n] short texts
 * (digits, '.', '+'). Returns an RGB PNG.
 */
export function renderMontage(images: Float32Array, n: number, height: number, width: number, clusters: ArrayLike<number>, captions: readonly string[], opts: MontageOptions = {}): Uint8Array {
  const t = opts.thumb ?? 48, maxMembers = opts.maxMembers ?? 16;
  const k = Math.max(...Array.from(clusters)) + 1;
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) members[clusters[i]!]!.push(i);
  const cols = 1 + Math.min(maxMembers + 1, Math.max(...members.map((m) => m.length)));
  const pad = 4, capH = 8, cellW = t + pad, cellH = t + capH + pad;
  const W = cols * cellW + pad, H = k * cellH + pad;
  const rgb = new Uint8Array(W * H * 3).fill(255);
  const palette = labelPalette(k);
  const px = (x: number, y: number, r: number, g: number, b: number) => {
    if (x < 0 || y < 0 || x >= W || y >= H) return;
    rgb.set([r, g, b], (y * W + x) * 3);
  };
  const text = (s: string, x0: number, y0: number) => {
    let x = x0;
    for (const ch of s) {
      const g = GLYPHS[ch] ?? GLYPHS[' ']!;
      g.forEach((bits, row) => {
        for (let c = 0; c < 3; c++) if (bits & (4 >> c)) px(x + c, y0 + row, 0, 0, 0);
      });
      x += 4;
    }
  };
  const draw = (img: Float32Array, x0: number, y0: number) => {
    for (let y = 0; y < t; y++)
      for (let x = 0; x < t; x++) {
        const v = Math.round(255 * Math.min(1, Math.max(0, img[y * t + x]!)));
        px(x0 + x, y0 + y, v, v, v);
      }
  };
  const P = height * width;
  members.forEach((m, c) => {
    const y0 = pad + c * cellH;
    const mean = new Float32Array(P);
    for (const i of m) for (let p = 0; p < P; p++) mean[p]! += images[i * P + p]! / Math.max(1, m.length);
    // Frame of the mean image in the cluster's colour.
    for (let d = -2; d < t + 2; d++)
      for (const [x, y] of [[pad + d, y0 - 2], [pad + d, y0 + t + 1], [pad - 2, y0 + d], [pad + t + 1, y0 + d]] as const)
        px(x, y, palette[c * 3]!, palette[c * 3 + 1]!, palette[c * 3 + 2]!);
    draw(thumbnail(mean, height, width, t), pad, y0);
    text(`C${c} #${m.length}`, pad, y0 + t + 2);
    m.slice(0, maxMembers).forEach((i, j) => {
      const x0 = pad + (j + 1) * cellW;
      draw(thumbnail(images.subarray(i * P, (i + 1) * P), height, width, t), x0, y0);
      text(captions[i]!.slice(0, Math.floor(t / 4)), x0, y0 + t + 2);
    });
    if (m.length > maxMembers) text(`+${m.length - maxMembers}`, pad + (maxMembers + 1) * cellW, y0 + t / 2);
  });
  return encodePng(rgb, W, H, 3);
}
