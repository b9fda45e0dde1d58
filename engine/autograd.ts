// Tape autograd. Every op that runs while grad is enabled and has an input that requires
// grad pushes a node: (inputs, output, backward). The tape is in execution order, which is a
// topological order, so backward walks it in reverse (micrograd's idea, without the explicit
// sort). Gradients of leaves (parameters) accumulate into `.grad` until zeroGrad(), so several
// backward() calls sum, as in PyTorch. A scope that ends without a backward drops the nodes of
// the tensors it disposed (Runtime.scope), so forward passes that are never differentiated do
// not pile up on the tape.
import { add, clone, onesLike } from './ops/elementwise.ts';
import { nextTensorId, type Tensor } from './tensor.ts';

/** dL/d(one input) from dL/d(output); only called when that input requires grad. */
export type InputGrad = (gradOut: Tensor) => Tensor;

/**
 * Per input, its gradient function (null where none flows, e.g. integer targets); or, where
 * the inputs' gradients share work, one function giving all of them (null where not needed).
 */
export type Backward = ReadonlyArray<InputGrad | null> | ((gradOut: Tensor) => ReadonlyArray<Tensor | null>);

export interface TapeNode {
  op: string;
  inputs: readonly Tensor[];
  output: Tensor;
  backward: Backward;
  /** Tensors only this node's backward reads besides inputs and output (e.g. a transformed input), freed with `release`. */
  saved?: readonly Tensor[];
}

export interface BackwardOptions {
  /**
   * Frees, as soon as the backward has used them, the outputs of the tape's nodes and the
   * tensors they saved (not the loss, nor tensors kept with rt.keep): a caller that will not
   * touch the forward's intermediates again lowers the step's peak memory by about their size
   * (PyTorch frees saved tensors the same way unless retain_graph is set).
   */
  release?: boolean;
}

export class Tape {
  nodes: TapeNode[] = [];
  private disabled = 0;

  get enabled(): boolean {
    return this.disabled === 0;
  }

  /** Records a node when grad is on and some input requires grad; marks the output. */
  record(op: string, inputs: readonly Tensor[], output: Tensor, backward: Backward, saved?: readonly Tensor[]): Tensor {
    if (this.disabled === 0 && inputs.some((t) => t.requiresGrad)) {
      output.requiresGrad = true;
      this.nodes.push(saved ? { op, inputs, output, backward, saved } : { op, inputs, output, backward });
    }
    return output;
  }

  noGrad<R>(fn: () => R): R {
    this.disabled++;
    try {
      return fn();
    } finally {
      this.disabled--;
    }
  }

  clear(): void {
    this.nodes.length = 0;
  }

  /**
   * A scope ended: `created` are the tensors it made and now disposes, `survivors` those it
   * returned. Unless a tensor the tape produced survives (returned, or kept beyond scopes),
   * nothing recorded in the scope can be back-propagated any more: its nodes are dropped.
   */
  endScope(created: ReadonlySet<Tensor>, survivors: ReadonlySet<Tensor>): void {
    if (!this.nodes.some((n) => created.has(n.output))) return;
    if (this.nodes.some((n) => survivors.has(n.output) || (n.output.persistent && !n.output.isDisposed))) return;
    this.nodes = this.nodes.filter((n) => !created.has(n.output));
  }
}

/**
 * Back-propagates from a scalar (1-element) loss, or from `output` with the given output
 * gradient `seed` (a vector-Jacobian product). Leaf tensors that require grad (those no node
 * produced) receive `.grad` (kept beyond the current scope). The tape is cleared.
 *
 * Each intermediate gradient is freed once every input gradient computed from it is stored, so
 * only the gradients still waiting for their node are alive at a time. Gradients are counted by
 * reference: a backward rule may hand one tensor to several inputs, or pass its gradient on.
 */
export function backward(loss: Tensor, seed?: Tensor | null, opts: BackwardOptions = {}): void {
  if (!seed && loss.size !== 1) throw new Error(`backward() needs a scalar loss, got ${loss}`);
  if (seed && seed.size !== loss.size) throw new Error(`backward(): seed ${seed} does not match ${loss}`);
  const tape = loss.rt.tape;
  const grads = new Map<number, Tensor>();
  const produced = new Set<number>();
  // Every tensor the tape saw, by id: leaves are found here instead of rescanning the tape.
  const seen = new Map<number, Tensor>([[loss.id, loss]]);
  for (const n of tape.nodes) {
    produced.add(n.output.id);
    for (const t of n.inputs) seen.set(t.id, t);
  }
  // Only tensors made during this call are freed here: never the caller's seed or the forward's.
  const firstId = nextTensorId();
  const refs = new Map<Tensor, number>();
  const hold = (t: Tensor) => refs.set(t, (refs.get(t) ?? 0) + 1);
  const drop = (t: Tensor) => {
    const r = (refs.get(t) ?? 0) - 1;
    if (r > 0) return void refs.set(t, r);
    refs.delete(t);
    if (t.id >= firstId && !t.persistent) t.dispose();
  };
  const free = (t: Tensor) => {
    if (t !== loss && !t.persistent) t.dispose();
  };
  tape.noGrad(() => {
    const g0 = seed ?? onesLike(loss);
    hold(g0);
    grads.set(loss.id, g0);
    for (let i = tape.nodes.length - 1; i >= 0; i--) {
      const node = tape.nodes[i]!;
      const g = grads.get(node.output.id);
      if (g) {
        const { inputs, backward } = node;
        const gin = typeof backward === 'function' ? backward(g) : inputs.map((inp, k) => (inp.requiresGrad ? (backward[k]?.(g) ?? null) : null));
        for (const gi of gin) if (gi) hold(gi);
        inputs.forEach((inp, k) => {
          const gi = gin[k];
          if (!gi || !inp.requiresGrad) return;
          if (gi.size !== inp.size) throw new Error(`${node.op}: gradient ${gi} does not match input ${inp}`);
          const prev = grads.get(inp.id);
          const next = prev ? add(prev, gi) : gi;
          hold(next);
          grads.set(inp.id, next);
          if (prev) drop(prev);
        });
        for (const gi of gin) if (gi) drop(gi);
        grads.delete(node.output.id);
        drop(g);
      }
      if (opts.release) {
        for (const t of node.saved ?? []) free(t);
        free(node.output);
      }
    }
    for (const [id, g] of grads) {
      if (produced.has(id)) continue;
      const leaf = seen.get(id);
      if (!leaf || !leaf.requiresGrad) continue;
      // A backward rule may hand the same tensor to several inputs; each leaf gets its own.
      const acc = leaf.grad ? add(leaf.grad, g) : clone(g);
      leaf.grad?.dispose();
      leaf.grad = leaf.rt.keep(acc);
    }
    for (const g of grads.values()) drop(g);
  });
  tape.clear();
}
