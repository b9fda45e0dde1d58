// Small canvas plots for the page: a line plot (loss, label count over iterations) and a
// stick plot (a segment's mean spectrum). No plotting library: a few lines of 2D canvas.
export interface Series {
  values: ArrayLike<number>;
  color: string;
  label: string;
}

const PAD = { left: 44, right: 8, top: 14, bottom: 18 };

function frame(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; w: number; h: number } {
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.font = '11px system-ui, sans-serif';
  return { ctx, w: canvas.width - PAD.left - PAD.right, h: canvas.height - PAD.top - PAD.bottom };
}

function range(v: ArrayLike<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i]!)) (lo = Math.min(lo, v[i]!)), (hi = Math.max(hi, v[i]!));
  if (!(hi > lo)) return [Number.isFinite(lo) ? lo - 1 : 0, Number.isFinite(hi) ? hi + 1 : 1];
  return [lo, hi];
}

/** Each series on its own y scale (loss and label count differ in magnitude), x = iteration (or xLabel). */
export function linePlot(canvas: HTMLCanvasElement, series: Series[], xMax: number, xLabel = 'iteration'): void {
  const { ctx, w, h } = frame(canvas);
  series.forEach((s, k) => {
    const [lo, hi] = range(s.values);
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    for (let i = 0; i < s.values.length; i++) {
      const x = PAD.left + (w * (i + 1)) / Math.max(1, xMax), y = PAD.top + h * (1 - (s.values[i]! - lo) / (hi - lo));
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    }
    ctx.stroke();
    ctx.fillStyle = s.color;
    const last = s.values.length ? s.values[s.values.length - 1]! : NaN;
    ctx.fillText(`${s.label} ${Number.isFinite(last) ? +last.toPrecision(4) : ''}`, PAD.left + 4 + k * 130, 10);
  });
  ctx.fillStyle = '#666';
  ctx.fillText(`${xLabel} (of ${xMax})`, PAD.left + w - 90, PAD.top + h + 14);
}

/** Vertical sticks at x (m/z or feature index) with height y. */
export function stickPlot(canvas: HTMLCanvasElement, x: ArrayLike<number>, y: ArrayLike<number>, color: string, xLabel: string): void {
  const { ctx, w, h } = frame(canvas);
  const [xlo, xhi] = range(x);
  const [, yhi] = range(y);
  const top = yhi > 0 ? yhi : 1;
  ctx.strokeStyle = color;
  ctx.beginPath();
  for (let i = 0; i < x.length; i++) {
    const px = PAD.left + (w * (x[i]! - xlo)) / (xhi - xlo);
    ctx.moveTo(px, PAD.top + h);
    ctx.lineTo(px, PAD.top + h * (1 - Math.max(0, y[i]!) / top));
  }
  ctx.stroke();
  ctx.fillStyle = '#666';
  ctx.fillText(`${+xlo.toPrecision(6)}`, PAD.left, PAD.top + h + 14);
  ctx.fillText(`${xLabel} ${+xhi.toPrecision(6)}`, PAD.left + w - 110, PAD.top + h + 14);
  ctx.fillText(`${+top.toPrecision(3)}`, 2, PAD.top + 8);
}
