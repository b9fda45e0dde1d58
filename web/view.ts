// Drawing on the page's canvases: label maps in the same colours as segmentation.png, gray ion
// images, and object URLs for the downloads.
import { labelColors } from '../io/png.ts';

/** Draws a label map (H x W, -1 = background) scaled to the canvas, nearest neighbour. */
export function drawLabels(canvas: HTMLCanvasElement, labels: Int32Array, height: number, width: number): Map<number, [number, number, number]> {
  const colors = labelColors(labels);
  const img = new ImageData(width, height);
  for (let i = 0; i < labels.length; i++) {
    const c = colors.get(labels[i]!) ?? [0, 0, 0];
    img.data.set([c[0], c[1], c[2], 255], i * 4);
  }
  blit(canvas, img);
  return colors;
}

/**
 * Draws intensities linearly from their minimum (black) to their 99th percentile (white), or to
 * their maximum when the ion is in under 1% of the pixels.
 */
export function drawGray(canvas: HTMLCanvasElement, values: Float32Array, height: number, width: number): void {
  const sorted = Float32Array.from(values).sort();
  const lo = sorted[0] ?? 0, p99 = sorted[Math.floor(0.99 * (sorted.length - 1))] ?? 1;
  const hi = p99 > lo ? p99 : (sorted[sorted.length - 1] ?? 1);
  const img = new ImageData(width, height);
  for (let i = 0; i < values.length; i++) {
    const g = hi > lo ? Math.max(0, Math.min(255, (255 * (values[i]! - lo)) / (hi - lo))) : 0;
    img.data.set([g, g, g, 255], i * 4);
  }
  blit(canvas, img);
}

function blit(canvas: HTMLCanvasElement, img: ImageData): void {
  // Keep the aspect ratio: the longer side fills the canvas.
  const s = Math.min(canvas.width / img.width, canvas.height / img.height);
  const tmp = document.createElement('canvas');
  tmp.width = img.width;
  tmp.height = img.height;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, img.width * s, img.height * s);
}

/** The pixel under a mouse event on a canvas drawn by blit(), or null outside the image. */
export function pixelAt(canvas: HTMLCanvasElement, ev: MouseEvent, height: number, width: number): number | null {
  const r = canvas.getBoundingClientRect();
  const s = Math.min(canvas.width / width, canvas.height / height);
  const x = Math.floor(((ev.clientX - r.left) * (canvas.width / r.width)) / s);
  const y = Math.floor(((ev.clientY - r.top) * (canvas.height / r.height)) / s);
  return x >= 0 && x < width && y >= 0 && y < height ? y * width + x : null;
}

/** A file input and a drop zone that both hand the chosen files to choose() (both tabs use one each). */
export function wireFileDrop(input: HTMLInputElement, zone: HTMLElement, choose: (files: File[]) => void): void {
  input.onchange = () => choose(Array.from(input.files ?? []));
  zone.ondragover = (e) => (e.preventDefault(), zone.classList.add('over'));
  zone.ondragleave = () => zone.classList.remove('over');
  zone.ondrop = (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    choose(Array.from(e.dataTransfer?.files ?? []));
  };
}

/** Points a download link at new bytes, releasing the URL it had. */
export function setDownload(a: HTMLAnchorElement, bytes: Uint8Array | string, type: string): void {
  if (a.href.startsWith('blob:')) URL.revokeObjectURL(a.href);
  a.href = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
}
