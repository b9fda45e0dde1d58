// A tensor is a GPU buffer plus shape and dtype. Feature maps are channels-last [H*W, C].
import type { Runtime } from './runtime.ts';

export type DType = 'f32' | 'i32' | 'u32';
export type TypedArrayFor<D extends DType> = D extends 'f32' ? Float32Array : D extends 'i32' ? Int32Array : Uint32Array;

let nextId = 1;

/** The id the next tensor will get: tensors made after this call have ids at least this. */
export const nextTensorId = (): number => nextId;

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`invalid shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

export class Tensor {
  readonly id = nextId++;
  readonly size: number;
  /** Set by autograd: the gradient of the last backward() for leaves (parameters). */
  grad: Tensor | null = null;
  requiresGrad = false;
  /** Parameters and other tensors that outlive a scope. */
  persistent = false;
  private disposed = false;

  constructor(
    readonly rt: Runtime,
    readonly buffer: GPUBuffer,
    readonly shape: readonly number[],
    readonly dtype: DType = 'f32',
  ) {
    this.size = sizeOf(shape);
  }

  get byteSize(): number {
    return this.size * 4;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Returns the buffer to the pool. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.rt.releaseTensor(this);
  }

  read(): Promise<TypedArrayFor<DType>> {
    return this.rt.read(this);
  }

  toString(): string {
    return `Tensor#${this.id}<${this.dtype}>[${this.shape.join('x')}]`;
  }
}
