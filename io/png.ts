// PNG writing (8-bit gray, RGB, RGBA) and the two pictures this project draws: label maps and
// ion (intensity) images. No Node built-ins: the browser app uses the same encoder.
import { zlibSync } from 'fflate';

// ---------------------------------------------------------------------------------------------
// CRC-32 (ISO 3309 / PNG spec annex D): reflected polynomial 0xEDB88320, table-driven.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Encoder

export type PngChannels = 1 | 3 | 4;
const COLOR_TYPE: Record<PngChannels, number> = { 1: 0, 3: 2, 4: 6 };

/**
 * Encodes 8-bit pixels (row-major, `channels` bytes per pixel: 1 gray, 3 RGB, 4 RGBA) as PNG.
 * Each row gets the filter (None/Sub/Up/Average/Paeth) with the smallest sum of absolute
 * residuals, the usual heuristic from the PNG spec; flat label maps then compress to little.
 */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: PngChannels = 4): Uint8Array {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0))
    throw new RangeError(`encodePng: bad size ${width} x ${height}`);
  if (!(channels in COLOR_TYPE)) throw new RangeError(`encodePng: channels must be 1, 3 or 4, got ${channels}`);
  const stride = width * channels;
  if (pixels.length !== stride * height)
    throw new RangeError(`encodePng: ${width} x ${height} x ${channels} needs ${stride * height} bytes, got ${pixels.length}`);

  const filtered = new Uint8Array((stride + 1) * height);
  const trial = Array.from({ length: 5 }, () => new Uint8Array(stride));
  const zero = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : zero;
    let best = 0, bestCost = Infinity;
    for (let f = 0; f < 5; f++) {
      const out = trial[f]!;
      let cost = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= channels ? row[i - channels]! : 0, b = up[i]!, c = i >= channels ? up[i - channels]! : 0;
        const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
        const r = (row[i]! - pred) & 0xff;
        out[i] = r;
        cost += r < 128 ? r : 256 - r; // residual read as a signed byte
      }
      if (cost < bestCost) {
        bestCost = cost;
        best = f;
      }
    }
    filtered[y * (stride + 1)] = best;
    filtered.set(trial[best]!, y * (stride + 1) + 1);
  }

  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOR_TYPE[channels];
  // compression 0, filter method 0, interlace 0: already zero.
  const chunks = [chunk('IHDR', ihdr), chunk('IDAT', zlibSync(filtered, { level: 6 })), chunk('IEND', new Uint8Array(0))];
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const out = new Uint8Array(8 + chunks.reduce((s, c) => s + c.length, 0));
  out.set(signature);
  let o = 8;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** length (4, big-endian), type (4), data, CRC over type + data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Colours for labels

/**
 * `n` well-separated colours (RGB bytes, n x 3). Hues step by the golden angle (137.5 deg) in
 * OKLCH, a perceptually uniform space, so every prefix of the sequence is spread around the
 * hue circle; lightness cycles through three levels so that neighbours in the sequence that
 * land on similar hues (beyond ~8 colours) still differ in lightness. Chroma is reduced until
 * the colour fits in sRGB.
 */
export function labelPalette(n: number): Uint8Array {
  const out = new Uint8Array(n * 3);
  const levels = [0.72, 0.55, 0.86];
  for (let i = 0; i < n; i++) {
    const hue = ((i * 137.50776405) % 360) * (Math.PI / 180) + 0.5; // offset: start at an orange, not a pink
    const L = levels[i % 3]!;
    let C = 0.16, rgb = oklchToSrgb(L, C, hue);
    while (!rgb.inGamut && C > 0) {
      C -= 0.005;
      rgb = oklchToSrgb(L, Math.max(C, 0), hue);
    }
    out[i * 3] = rgb.r;
    out[i * 3 + 1] = rgb.g;
    out[i * 3 + 2] = rgb.b;
  }
  return out;
}

function oklchToSrgb(L: number, C: number, h: number): { r: number; g: number; b: number; inGamut: boolean } {
  // OKLab -> LMS (cube) -> linear sRGB, Ottosson's published matrices.
  const a = C * Math.cos(h), b = C * Math.sin(h);
  const l = (L + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (L - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (L - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const lin = [
    4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
    -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
    -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s,
  ];
  const inGamut = lin.every((c) => c >= -1e-4 && c <= 1 + 1e-4);
  const [r, g, bb] = lin.map((c) => {
    const x = Math.min(1, Math.max(0, c));
    const e = x <= 0.0031308 ? 12.92 * x : 1.055 * x ** (1 / 2.4) - 0.055;
    return Math.round(e * 255);
  }) as [number, number, number];
  return { r, g, b: bb, inGamut };
}

/**
 * Colour of every label that occurs (negative labels are background and get none). Labels are
 * coloured by rank (smallest label first), so k segments always get the k most separated
 * colours whatever their numeric values (argmax labels can be any of 0..99).
 */
export function labelColors(labels: ArrayLike<number>): Map<number, [number, number, number]> {
  const present = [...new Set(Array.from(labels).filter((l) => l >= 0))].sort((a, b) => a - b);
  const pal = labelPalette(present.length);
  return new Map(present.map((l, i) => [l, [pal[i * 3]!, pal[i * 3 + 1]!, pal[i * 3 + 2]!]]));
}

/** Default upscaling: nearest-neighbour, so small images are drawn at least ~400 px wide. */
export function defaultScale(width: number): number {
  return Math.max(1, Math.ceil(400 / width));
}

function checkGrid(n: number, height: number, width: number, what: string): void {
  if (n !== height * width) throw new RangeError(`${what}: ${n} values for a ${height} x ${width} image`);
}

/** Upscales RGB pixels by an integer factor (nearest neighbour). */
function upscale(rgb: Uint8Array, height: number, width: number, scale: number): Uint8Array {
  if (scale === 1) return rgb;
  const W = width * scale, out = new Uint8Array(W * height * scale * 3);
  for (let y = 0; y < height * scale; y++) {
    const sy = Math.floor(y / scale);
    for (let x = 0; x < W; x++) {
      const s = (sy * width + Math.floor(x / scale)) * 3, d = (y * W + x) * 3;
      out[d] = rgb[s]!;
      out[d + 1] = rgb[s + 1]!;
      out[d + 2] = rgb[s + 2]!;
    }
  }
  return out;
}

export interface RenderOptions {
  /** Integer nearest-neighbour upscaling factor; default defaultScale(width). */
  scale?: number;
}

/** A label map (row-major H x W; -1 or any negative = background, black) as a PNG. */
export function renderLabels(labels: ArrayLike<number>, height: number, width: number, { scale }: RenderOptions = {}): Uint8Array {
  checkGrid(labels.length, height, width, 'renderLabels');
  const colors = labelColors(labels);
  const rgb = new Uint8Array(height * width * 3);
  for (let i = 0; i < labels.length; i++) {
    const c = colors.get(labels[i]!);
    if (c) rgb.set(c, i * 3);
  }
  const s = checkScale(scale ?? defaultScale(width), height, width);
  return encodePng(upscale(rgb, height, width, s), width * s, height * s, 3);
}

export interface GrayOptions extends RenderOptions {
  /** Value drawn black; default the smallest finite value. */
  min?: number;
  /** Value drawn white; default the `clip` quantile of the finite values. */
  max?: number;
  /** Upper quantile used when `max` is not given (default 1 = the maximum); ion images with a
   * few hot spots read better at 0.99. */
  clip?: number;
}

/**
 * An intensity image (ion image) as a gray PNG, linearly mapped from [min, max] to [0, 255].
 * Non-finite values (e.g. NaN for masked pixels) are drawn black.
 */
export function renderGray(values: ArrayLike<number>, height: number, width: number, opts: GrayOptions = {}): Uint8Array {
  checkGrid(values.length, height, width, 'renderGray');
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) finite.push(values[i]!);
  finite.sort((a, b) => a - b);
  const lo = opts.min ?? finite[0] ?? 0;
  const clip = Math.min(1, Math.max(0, opts.clip ?? 1));
  const hi = opts.max ?? finite[Math.min(finite.length - 1, Math.round(clip * (finite.length - 1)))] ?? 1;
  const span = hi > lo ? hi - lo : 1;
  const s = checkScale(opts.scale ?? defaultScale(width), height, width);
  const W = width * s, H = height * s;
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const v = values[Math.floor(y / s) * width + Math.floor(x / s)]!;
      out[y * W + x] = Number.isFinite(v) ? Math.round(255 * Math.min(1, Math.max(0, (v - lo) / span))) : 0;
    }
  return encodePng(out, W, H, 1);
}

function checkScale(s: number, height: number, width: number): number {
  if (!Number.isInteger(s) || s < 1) throw new RangeError(`scale must be a positive integer, got ${s}`);
  if (width * s * height * s > 2 ** 26) throw new RangeError(`scale ${s} makes a ${width * s} x ${height * s} image, too large`);
  return s;
}
