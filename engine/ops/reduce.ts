// Sums and means along one axis (or over everything), with backward = broadcast. The GPU
// work is kernels/reduce.ts: passes of chunked tree reductions until one chunk is left, or one
// pass with a fixed layout (column sums for bias gradients, the total that ends every loss).
import {
  broadcastKernel,
  COLUMNS_LAYOUT,
  reduceInputs,
  reduceKernel,
  reduceLayout,
  REDUCE_MAX_SERIAL,
  TOTAL_LAYOUT,
  type ReduceLayout,
  type ReducePre,
} from '../../kernels/reduce.ts';
import type { Tensor } from '../tensor.ts';

/** A tensor seen as [outer, r, inner], summed over r. */
export interface ReduceView {
  outer: number;
  r: number;
  inner: number;
}

export interface ReduceOptions {
  /** Per-element map before summing (default 'id'); see ReducePre. */
  pre?: ReducePre;
  /** Second operand of 'mul' and 'muldev' (same size as x). */
  y?: Tensor;
  /** Per-output values of 'sqdev' and 'muldev' (at least outer * inner). */
  m?: Tensor;
  /** Multiplies the result (e.g. 1 / r for a mean). */
  scale?: number;
  /** Shape of the result (default [outer, inner] flattened to [outer * inner]). */
  outShape?: readonly number[];
  /** Sum in one pass with this layout (see COLUMNS_LAYOUT): no partials, each lane adds r / ty values. */
  onePass?: ReduceLayout;
}

/** The [outer, r, inner] view of `shape` reducing `axis` (all axes when undefined), and the result shape. */
export function axisView(shape: readonly number[], axis?: number): { view: ReduceView; outShape: number[] } {
  const n = shape.reduce((a, b) => a * b, 1);
  if (axis === undefined) return { view: { outer: 1, r: n, inner: 1 }, outShape: [1] };
  const ax = axis < 0 ? axis + shape.length : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= shape.length) throw new Error(`axis ${axis} out of range for [${shape.join('x')}]`);
  const outer = shape.slice(0, ax).reduce((a, b) => a * b, 1);
  const inner = shape.slice(ax + 1).reduce((a, b) => a * b, 1);
  const rest = [...shape.slice(0, ax), ...shape.slice(ax + 1)];
  return { view: { outer, r: shape[ax]!, inner }, outShape: rest.length ? rest : [1] };
}

/** Untracked reduction (no tape node): the building block for ops and backward rules. */
export function reduceRaw(x: Tensor, view: ReduceView, opts: ReduceOptions = {}): Tensor {
  const rt = x.rt;
  const { outer, inner } = view;
  const pre = opts.pre ?? 'id';
  if (outer * view.r * inner !== x.size) throw new Error(`reduce: view ${outer}x${view.r}x${inner} does not match ${x}`);
  const extra: Record<string, Tensor> = {};
  for (const name of reduceInputs(pre).slice(1)) {
    const t = name === 'y' ? opts.y : opts.m;
    if (!t) throw new Error(`reduce '${pre}' needs operand ${name}`);
    const need = name === 'y' ? x.size : outer * inner;
    if (name === 'y' ? t.size !== need : t.size < need) throw new Error(`reduce '${pre}': ${name} ${t} has the wrong size (${need})`);
    extra[name] = t;
  }
  let src = x, r = view.r, stagePre: ReducePre = pre;
  for (;;) {
    const layout = opts.onePass ?? reduceLayout(r, inner);
    const k = Math.max(1, opts.onePass ? Math.ceil(r / layout.ty) : Math.min(Math.ceil(r / layout.ty), REDUCE_MAX_SERIAL));
    const chunks = Math.max(1, Math.ceil(r / (k * layout.ty)));
    if (chunks > rt.maxWorkgroups) throw new Error(`reduce: ${chunks} chunks over the grid limit`);
    const last = chunks === 1;
    const out = rt.empty(last ? (opts.outShape ?? [outer * inner]) : [outer, chunks, inner]);
    const innerTiles = Math.ceil(inner / layout.tx);
    const tiles = innerTiles * Math.ceil(outer / layout.to);
    const gz = Math.ceil(tiles / rt.maxWorkgroups);
    const p = { outer, r, inner, chunks, k, innerTiles, tiles, scale: last ? (opts.scale ?? 1) : 1 };
    const inputs = src === x ? { x, ...extra } : { x: src };
    rt.dispatch(reduceKernel(stagePre, layout), { ...inputs, out, p }, [Math.ceil(tiles / gz), chunks, gz]);
    // Safe right after recording: pooled buffers are reused only after the next submit.
    if (src !== x) src.dispose();
    if (last) return out;
    src = out;
    r = chunks;
    stagePre = 'id';
  }
}

/** [1] = scale * sum(x) in one workgroup: the last step of every loss (which records its own backward). */
export function sumScaledRaw(x: Tensor, scale: number): Tensor {
  return reduceRaw(x, { outer: 1, r: x.size, inner: 1 }, { scale, onePass: TOTAL_LAYOUT });
}

/** Column sums of a [rows, cols] matrix: [cols], in one pass (bias gradients). Untracked. */
export function colSumRaw(x: Tensor, rows: number, cols: number): Tensor {
  return reduceRaw(x, { outer: 1, r: rows, inner: cols }, { onePass: COLUMNS_LAYOUT });
}

/** Untracked out[o, r, i] = g[o, i] * scale over `shape` (the backward of sum / mean). */
export function broadcastRaw(g: Tensor, shape: readonly number[], view: ReduceView, scale = 1): Tensor {
  if (g.size !== view.outer * view.inner) throw new Error(`broadcast: ${g} does not match view ${view.outer}x${view.inner}`);
  const out = g.rt.empty(shape);
  g.rt.dispatch(broadcastKernel(), { g, out, p: { n: out.size, r: view.r, inner: view.inner, scale } }, out.size);
  return out;
}

function reduceOp(name: string, x: Tensor, axis: number | undefined, isMean: boolean): Tensor {
  const { view, outShape } = axisView(x.shape, axis);
  const scale = isMean ? 1 / Math.max(1, view.r) : 1;
  const y = reduceRaw(x, view, { scale, outShape });
  return x.rt.tape.record(name, [x], y, [(g) => broadcastRaw(g, x.shape, view, scale)]);
}

/** Sum over `axis` (that axis removed), or over everything to [1]. sum([N, C], 0) is per column: [C]. */
export const sum = (x: Tensor, axis?: number): Tensor => reduceOp('sum', x, axis, false);

/** Mean over `axis`, or over everything to [1]. */
export const mean = (x: Tensor, axis?: number): Tensor => reduceOp('mean', x, axis, true);
