// Similarity matrices between ion images (or their embeddings), on the CPU: n is small (the
// number of images) and these are O(n^2 d) products done once. Also the 3x3 median filter of
// METASPACE's colocalization recipe (cosine similarity of median-filtered, clipped images).

/** Pearson correlation of the rows of x [n, d]; a constant row correlates 0 with everything. */
export function pearsonMatrix(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const centred = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let t = 0; t < d; t++) m += x[i * d + t]!;
    m /= d;
    for (let t = 0; t < d; t++) centred[i * d + t] = x[i * d + t]! - m;
  }
  return cosineMatrix(centred, n, d);
}

/** Cosine similarity of the rows of x [n, d] (a zero row has similarity 0, 1 with itself). */
export function cosineMatrix(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const norm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += x[i * d + t]! ** 2;
    norm[i] = Math.sqrt(s);
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += x[i * d + t]! * x[j * d + t]!;
      const den = norm[i]! * norm[j]!;
      const v = i === j ? 1 : den > 0 ? s / den : 0;
      out[i * n + j] = out[j * n + i] = v;
    }
  return out;
}

/** 3x3 median filter of each image of [n, H, W] (the window is cut at the borders). */
export function medianFilter3(images: Float32Array, n: number, height: number, width: number): Float32Array {
  const out = new Float32Array(images.length);
  const win: number[] = [];
  for (let i = 0; i < n; i++) {
    const base = i * height * width;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        win.length = 0;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy, xx = x + dx;
            if (yy >= 0 && yy < height && xx >= 0 && xx < width) win.push(images[base + yy * width + xx]!);
          }
        win.sort((a, b) => a - b);
        const m = win.length >> 1;
        out[base + y * width + x] = win.length % 2 ? win[m]! : 0.5 * (win[m - 1]! + win[m]!);
      }
  }
  return out;
}

/**
 * Cosine similarity of rows after subtracting the mean row. Embeddings after ReLU and global
 * average pooling share a large common component that makes every raw cosine close to 1;
 * centring leaves what tells images apart.
 */
export function centredCosine(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const c = new Float64Array(n * d);
  for (let t = 0; t < d; t++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i * d + t]! / n;
    for (let i = 0; i < n; i++) c[i * d + t] = x[i * d + t]! - m;
  }
  return cosineMatrix(c, n, d);
}
