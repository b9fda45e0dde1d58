// Parameters and a small Module base class: named parameters, buffers (e.g. BatchNorm's
// running statistics) and child modules, with a train/eval flag that children follow, as in
// PyTorch's nn.Module. Initialisers reproduce PyTorch's defaults from a seeded Random.
import type { Random } from './random.ts';
import type { Runtime } from './runtime.ts';
import type { Tensor } from './tensor.ts';
import { fill } from './ops/elementwise.ts';

/** A trainable tensor: outlives every scope and receives `.grad` from backward(). */
export function parameter(rt: Runtime, data: ArrayLike<number>, shape: readonly number[]): Tensor {
  const t = rt.keep(rt.fromData(data, shape));
  t.requiresGrad = true;
  return t;
}

/** A parameter with every element `value` (BatchNorm: gamma = 1, beta = 0). */
export function filledParameter(rt: Runtime, shape: readonly number[], value: number): Tensor {
  const t = rt.keep(fill(rt.empty(shape), value));
  t.requiresGrad = true;
  return t;
}

/** A kept tensor that is state, not trained (running statistics, optimiser moments). */
export function stateTensor(rt: Runtime, shape: readonly number[], value: number): Tensor {
  return rt.keep(fill(rt.empty(shape), value));
}

/**
 * PyTorch's default bound for conv / linear weights and biases: its weights use
 * kaiming_uniform_(a = sqrt(5)), whose bound gain * sqrt(3 / fanIn) with gain = sqrt(1/3)
 * is 1 / sqrt(fanIn); biases use the same bound. fanIn = inChannels * kh * kw for a conv.
 */
export function defaultInitBound(fanIn: number): number {
  if (!(fanIn > 0)) throw new Error(`fanIn must be positive, got ${fanIn}`);
  return 1 / Math.sqrt(fanIn);
}

/** n values from U(-1/sqrt(fanIn), 1/sqrt(fanIn)) (PyTorch's conv / linear default). */
export function kaimingUniform(random: Random, n: number, fanIn: number): Float32Array {
  const b = defaultInitBound(fanIn);
  return random.uniformArray(n, -b, b);
}

/** A parameter initialised like PyTorch's conv / linear weight or bias. */
export function kaimingUniformParameter(rt: Runtime, shape: readonly number[], fanIn: number, random: Random): Tensor {
  return parameter(rt, kaimingUniform(random, shape.reduce((a, b) => a * b, 1), fanIn), shape);
}

export abstract class Module {
  /** Training mode (batch statistics, dropout on) or eval mode. Set with train() / eval(). */
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly ownChildren = new Map<string, Module>();

  /** Registers (or replaces) a parameter; returns it so it can initialise a field. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    if (!t.persistent || !t.requiresGrad) throw new Error(`parameter ${name}: use parameter() (kept, requiresGrad)`);
    this.ownParams.set(name, t);
    return t;
  }

  protected registerBuffer(name: string, t: Tensor): Tensor {
    if (!t.persistent) throw new Error(`buffer ${name} must be kept (rt.keep)`);
    this.ownBuffers.set(name, t);
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    m.train(this.training);
    this.ownChildren.set(name, m);
    return m;
  }

  children(): Module[] {
    return [...this.ownChildren.values()];
  }

  /** Every parameter of this module and its descendants, each once, with dotted names. */
  namedParameters(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    const seen = new Set<Tensor>();
    const walk = (m: Module, pre: string) => {
      for (const [n, t] of m.ownParams) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([pre + n, t]);
      }
      for (const [n, c] of m.ownChildren) walk(c, `${pre}${n}.`);
    };
    walk(this, prefix);
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [...this.ownBuffers].map(([n, t]) => [prefix + n, t] as [string, Tensor]);
    for (const [n, c] of this.ownChildren) out.push(...c.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  /** Sets training mode here and in every descendant. */
  train(mode = true): this {
    this.training = mode;
    for (const c of this.ownChildren.values()) c.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drops every parameter's gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Frees parameters, their gradients, buffers and children. */
  dispose(): void {
    this.zeroGrad();
    for (const p of this.parameters()) p.dispose();
    for (const [, b] of this.namedBuffers()) b.dispose();
  }
}
