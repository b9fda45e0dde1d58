// Optimisers with PyTorch semantics (torch.optim.SGD, Adam / AdamW). step() records one
// fused kernel per parameter that has a gradient into the current command encoder;
// parameters without a gradient are skipped and their state does not advance, as in PyTorch.
import { adamKernel, sgdKernel } from '../kernels/optim.ts';
import { stateTensor } from './module.ts';
import type { Tensor } from './tensor.ts';

export abstract class Optimizer {
  /** Learning rate of the next step (change it for schedules). */
  lr: number;
  protected readonly state = new Map<Tensor, { step: number; tensors: Tensor[] }>();

  constructor(
    readonly params: readonly Tensor[],
    lr: number,
  ) {
    if (!(lr >= 0)) throw new Error(`learning rate must be >= 0, got ${lr}`);
    this.lr = lr;
    for (const p of params) if (!p.requiresGrad) throw new Error(`optimiser: ${p} does not require grad`);
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    for (const p of this.params) {
      if (!p.grad) continue;
      if (p.grad.size !== p.size) throw new Error(`optimiser: gradient ${p.grad} does not match ${p}`);
      let s = this.state.get(p);
      if (!s) this.state.set(p, (s = { step: 0, tensors: this.initState(p) }));
      s.step++;
      this.update(p, p.grad, s.step, s.tensors);
    }
  }

  /** Drops every parameter's gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Frees the optimiser state (momentum buffers, moments). */
  dispose(): void {
    for (const s of this.state.values()) for (const t of s.tensors) t.dispose();
    this.state.clear();
  }

  protected abstract initState(p: Tensor): Tensor[];
  protected abstract update(p: Tensor, g: Tensor, step: number, state: Tensor[]): void;
}

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;

  constructor(params: readonly Tensor[], opts: SGDOptions) {
    super(params, opts.lr);
    this.momentum = opts.momentum ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.nesterov = opts.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new Error('Nesterov momentum needs momentum > 0 and no dampening');
  }

  protected initState(p: Tensor): Tensor[] {
    // The first step writes the buffer (buf = d) before reading it: no need to zero it.
    return this.momentum !== 0 ? [p.rt.keep(p.rt.empty(p.shape))] : [];
  }

  protected update(p: Tensor, g: Tensor, step: number, [buf]: Tensor[]): void {
    const u = { n: p.size, lr: this.lr, momentum: this.momentum, dampening: this.dampening, weightDecay: this.weightDecay, first: step === 1 ? 1 : 0, nesterov: this.nesterov ? 1 : 0 };
    p.rt.dispatch(sgdKernel(!!buf), buf ? { param: p, grad: g, buf, u } : { param: p, grad: g, u }, p.size);
  }
}

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  /** Default 0 for Adam and 0.01 for AdamW, as in PyTorch. */
  weightDecay?: number;
  /** AdamW: decay the weights directly instead of adding wd * w to the gradient. */
  decoupled?: boolean;
}

export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly decoupled: boolean;

  constructor(params: readonly Tensor[], opts: AdamOptions = {}) {
    super(params, opts.lr ?? 1e-3);
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? (opts.decoupled ? 1e-2 : 0);
    this.decoupled = opts.decoupled ?? false;
  }

  protected initState(p: Tensor): Tensor[] {
    return [stateTensor(p.rt, p.shape, 0), stateTensor(p.rt, p.shape, 0)];
  }

  protected update(p: Tensor, g: Tensor, step: number, [m, v]: Tensor[]): void {
    const [b1, b2] = this.betas;
    // Bias corrections in float64 on the CPU, once per step.
    const stepSize = this.lr / (1 - b1 ** step);
    const bc2Sqrt = Math.sqrt(1 - b2 ** step);
    const u = { n: p.size, lr: this.lr, beta1: b1, beta2: b2, eps: this.eps, weightDecay: this.weightDecay, stepSize, bc2Sqrt, decoupled: this.decoupled ? 1 : 0 };
    p.rt.dispatch(adamKernel(), { param: p, grad: g, m: m!, v: v!, u }, p.size);
  }
}
