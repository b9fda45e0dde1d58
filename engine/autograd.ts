// Tape autograd. Every op that runs while grad is enabled and has an input that requires
// grad pushes a node: (inputs, output, backward closure). The tape is in execution order,
// which is a topological order, so backward walks it in reverse (micrograd's idea, without
// the explicit sort). Gradients of leaves (parameters) accumulate into `.grad` until
// zeroGrad(), so several backward() calls sum, as in PyTorch.
import type { Tensor } from './tensor.ts';

export interface TapeNode {
  op: string;
  inputs: readonly Tensor[];
  output: Tensor;
  /** Given dL/d(output), returns dL/d(input) per input (null where not needed). */
  backward: (gradOut: Tensor) => ReadonlyArray<Tensor | null>;
}

export class Tape {
  nodes: TapeNode[] = [];
  private disabled = 0;

  get enabled(): boolean {
    return this.disabled === 0;
  }

  /** Records a node when grad is on and some input requires grad; marks the output. */
  record(op: string, inputs: readonly Tensor[], output: Tensor, backward: TapeNode['backward']): Tensor {
    if (this.disabled === 0 && inputs.some((t) => t.requiresGrad)) {
      output.requiresGrad = true;
      this.nodes.push({ op, inputs, output, backward });
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
}

export interface GradOps {
  onesLike(t: Tensor): Tensor;
  add(a: Tensor, b: Tensor): Tensor;
  clone(t: Tensor): Tensor;
}

/**
 * Back-propagates from a scalar (1-element) loss. Leaf tensors that require grad (those no
 * node produced) receive `.grad` (kept beyond the current scope). The tape is cleared.
 */
export function backward(loss: Tensor, ops: GradOps, seed?: Tensor): void {
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
  tape.noGrad(() => {
    grads.set(loss.id, seed ?? ops.onesLike(loss));
    for (let i = tape.nodes.length - 1; i >= 0; i--) {
      const node = tape.nodes[i]!;
      const g = grads.get(node.output.id);
      if (!g) continue;
      const gin = node.backward(g);
      node.inputs.forEach((inp, k) => {
        const gi = gin[k];
        if (!gi || !inp.requiresGrad) return;
        if (gi.size !== inp.size) throw new Error(`${node.op}: gradient ${gi} does not match input ${inp}`);
        const prev = grads.get(inp.id);
        grads.set(inp.id, prev ? ops.add(prev, gi) : gi);
      });
    }
    for (const [id, g] of grads) {
      if (produced.has(id)) continue;
      const leaf = seen.get(id);
      if (!leaf || !leaf.requiresGrad) continue;
      // A backward rule may hand the same tensor to several inputs; each leaf gets its own.
      const acc = leaf.grad ? ops.add(leaf.grad, g) : ops.clone(g);
      leaf.grad?.dispose();
      leaf.grad = leaf.rt.keep(acc);
    }
  });
  tape.clear();
}
