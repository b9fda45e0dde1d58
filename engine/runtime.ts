// The runtime owns the device: pipeline cache (keyed by kernel key), buffer pools, one
// command encoder (and compute pass) collecting every dispatch until flush(), uniform
// upload, async readback, tensor scopes and the autograd tape.
import type { Access, KernelSpec, UniformDecl, UniformValues } from '../kernels/spec.ts';
import { kernelLayout, packUniforms, type KernelLayout } from './kernel_layout.ts';
import { BufferPool } from './pool.ts';
import { Tensor, sizeOf, type DType, type TypedArrayFor } from './tensor.ts';
import { Tape } from './autograd.ts';
import type { GpuContext } from './device.ts';
import { Profiler, type KernelTime } from './profiler.ts';
import { sleep, WaitClock } from './wait.ts';

const STORAGE = 0x80 | 0x08 | 0x04; // STORAGE | COPY_DST | COPY_SRC
const UNIFORM = 0x40 | 0x08; // UNIFORM | COPY_DST
const READBACK = 0x01 | 0x08; // MAP_READ | COPY_DST

/** A storage binding's buffer. */
export type Resource = Tensor | GPUBuffer;

/** A dispatch's bindings by name: buffers, and the uniform struct's values by member name. */
export type Bindings<U extends UniformDecl> = Readonly<Record<string, Resource | UniformValues<U>>>;

interface CachedPipeline extends KernelLayout {
  pipeline: GPUComputePipeline;
  bindGroupLayout: GPUBindGroupLayout;
}

/**
 * What it takes to create a kernel's pipeline again without its spec: a process can save the
 * kernels it used (Runtime.kernelSources) and hand them to the next one (Runtime.prewarm).
 */
export interface KernelSource {
  key: string;
  code: string;
  entry: string;
  /** Each @binding's access, in order. */
  access: Access[];
}

/** The device is gone (destroyed, driver reset, out of memory): no further work can run. */
export class GpuDeviceLostError extends Error {
  constructor(readonly reason: string, detail: string) {
    super(`the GPU device was lost (${reason}${detail ? `: ${detail}` : ''})`);
    this.name = 'GpuDeviceLostError';
  }
}

export class Runtime {
  readonly device: GPUDevice;
  readonly pool: BufferPool;
  readonly tape = new Tape();
  private pipelines = new Map<string, CachedPipeline>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private scopes: Set<Tensor>[] = [];
  private pendingUniforms: GPUBuffer[] = [];
  dispatchCount = 0;
  private profiler: Profiler | null = null;
  private readonly clock = new WaitClock();
  private deviceError: Error | null = null;
  /** Set once the device is lost; every later call rejects with it instead of hanging. */
  private lostError: GpuDeviceLostError | null = null;
  private readonly lost: Promise<GpuDeviceLostError>;
  /** Rejecters of the waits in flight (guard), called when the device is lost. */
  private readonly lostWaiters = new Set<(e: Error) => void>();
  submitCount = 0;

  /** Read once: the device's limits object is a native wrapper, no need to query it per op. */
  readonly maxBinding: number;
  readonly maxWorkgroups: number;

  constructor(readonly ctx: GpuContext) {
    this.device = ctx.device;
    this.maxBinding = ctx.device.limits.maxStorageBufferBindingSize;
    this.maxWorkgroups = ctx.device.limits.maxComputeWorkgroupsPerDimension;
    // A validation error (bad WGSL, a bad binding) would otherwise only be printed by Dawn while
    // the results silently read as zeros: keep the first one and throw it at the next readback.
    // A listener, not onuncapturederror, so an app's own handler on its device stays in place.
    ctx.device.addEventListener('uncapturederror', this.onDeviceError);
    this.pool = new BufferPool(this.device);
    this.lost = ctx.device.lost.then((info) => {
      const e = (this.lostError = new GpuDeviceLostError(String(info.reason ?? 'unknown'), info.message));
      for (const reject of this.lostWaiters) reject(e);
      this.lostWaiters.clear();
      return e;
    });
  }

  private throwIfLost(): void {
    if (this.lostError) throw this.lostError;
  }

  /**
   * Awaits GPU work, but rejects with the device-lost error if the device goes away first
   * (a pending map or work-done promise may otherwise never settle).
   */
  private async guard<T>(work: Promise<T>): Promise<T> {
    // `work` already exists: when the device is already lost, its own rejection (an AbortError)
    // must not go unhandled while the lost error is the one thrown.
    work.catch(() => {});
    this.throwIfLost();
    // A fresh promise per wait, rejected from the device's lost handler: racing `this.lost` itself
    // would leave one reaction on it per readback for as long as the device lives.
    let reject!: (e: Error) => void;
    const lostNow = new Promise<never>((_, r) => (reject = r));
    lostNow.catch(() => {});
    this.lostWaiters.add(reject);
    try {
      return await Promise.race([work, lostNow]);
    } catch (e) {
      // A map that fails because the device was destroyed rejects before the lost event.
      const lost = await Promise.race([this.lost, new Promise<null>((r) => setTimeout(() => r(null), 200))]);
      throw lost ?? e;
    } finally {
      this.lostWaiters.delete(reject);
    }
  }

  private readonly onDeviceError = (event: Event): void => {
    const e = event as GPUUncapturedErrorEvent;
    // Out of memory is a limit of this GPU, not a bug: it gets its own name so callers can say so.
    const oom = e.error.constructor?.name === 'GPUOutOfMemoryError';
    this.deviceError ??= Object.assign(new Error(`${oom ? 'GPU out of memory' : 'WebGPU error'}: ${e.error.message}`), oom ? { name: 'GpuOutOfMemoryError' } : {});
  };

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  // ---------- tensors ----------
  /** An uninitialised tensor, to be written by a kernel (its buffer may be one freed earlier in this encoder). */
  empty(shape: readonly number[], dtype: DType = 'f32'): Tensor {
    return this.allocate(shape, dtype, true);
  }

  private allocate(shape: readonly number[], dtype: DType, gpuWritten: boolean): Tensor {
    const n = sizeOf(shape);
    const maxBinding = this.maxBinding;
    if (n * 4 > maxBinding)
      throw new Error(`tensor [${shape.join('x')}] needs ${n * 4} bytes, over this adapter's binding limit ${maxBinding}`);
    const t = new Tensor(this, this.pool.acquire(n * 4, STORAGE, gpuWritten), shape, dtype);
    this.scopes[this.scopes.length - 1]?.add(t);
    return t;
  }

  fromData(data: ArrayLike<number> | ArrayBufferView, shape: readonly number[], dtype: DType = 'f32'): Tensor {
    const n = sizeOf(shape);
    if ((data as ArrayLike<number>).length !== n)
      throw new Error(`data length ${(data as ArrayLike<number>).length} does not match shape [${shape.join('x')}]`);
    // queue.writeBuffer runs before the open encoder's commands: never a buffer they still use.
    const t = this.allocate(shape, dtype, false);
    const typed =
      dtype === 'f32' ? Float32Array.from(data as ArrayLike<number>) : dtype === 'i32' ? Int32Array.from(data as ArrayLike<number>) : Uint32Array.from(data as ArrayLike<number>);
    this.device.queue.writeBuffer(t.buffer, 0, typed.buffer, typed.byteOffset, typed.byteLength);
    return t;
  }

  /** Overwrites a tensor's contents from the CPU. Flushes first so earlier dispatches see the old data. */
  write(t: Tensor, data: ArrayBufferView): void {
    this.flush();
    this.device.queue.writeBuffer(t.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  releaseTensor(t: Tensor): void {
    for (const s of this.scopes) s.delete(t);
    this.pool.release(t.buffer, true);
  }

  /** Marks a tensor as outliving the current scopes (parameters, optimiser state, results). */
  keep<T extends Tensor>(t: T): T {
    for (const s of this.scopes) s.delete(t);
    t.persistent = true;
    return t;
  }

  /**
   * Runs fn; every tensor created inside and not kept (or returned) is disposed at the end.
   * Returned tensors (a Tensor, or an array / object of them) move to the enclosing scope.
   */
  scope<R>(fn: () => R): R {
    const s = new Set<Tensor>();
    this.scopes.push(s);
    let out: R;
    try {
      out = fn();
    } finally {
      this.scopes.pop();
    }
    const survivors = new Set<Tensor>();
    collectTensors(out!, survivors);
    this.tape.endScope(s, survivors);
    for (const t of s) if (!survivors.has(t)) t.dispose();
    const parent = this.scopes[this.scopes.length - 1];
    if (parent) for (const t of survivors) if (s.has(t)) parent.add(t);
    return out!;
  }

  async scopeAsync<R>(fn: () => Promise<R>): Promise<R> {
    const s = new Set<Tensor>();
    this.scopes.push(s);
    let out: R;
    try {
      out = await fn();
    } finally {
      this.scopes.splice(this.scopes.lastIndexOf(s), 1);
    }
    const survivors = new Set<Tensor>();
    collectTensors(out, survivors);
    this.tape.endScope(s, survivors);
    for (const t of s) if (!survivors.has(t)) t.dispose();
    const parent = this.scopes[this.scopes.length - 1];
    if (parent) for (const t of survivors) if (s.has(t)) parent.add(t);
    return out;
  }

  // ---------- kernels ----------
  /** Milliseconds spent creating pipelines (WGSL -> driver compile; Mesa may serve it from disk). */
  compileMs = 0;

  private readonly sources = new Map<string, KernelSource>();
  /** Pipelines made by prewarm(): held so the device's own object cache keeps them (see there). */
  private readonly warmed: GPUComputePipeline[] = [];

  /** The same descriptor for a kernel whether it comes from its spec or from a saved source. */
  private describe(key: string, code: string, entry: string, access: readonly Access[]) {
    const module = this.device.createShaderModule({ code, label: key });
    const bindGroupLayout = this.device.createBindGroupLayout({
      label: key,
      entries: access.map((a, i) => ({
        binding: i,
        visibility: 0x4, // COMPUTE
        buffer: { type: a === 'uniform' ? 'uniform' : a === 'read' ? 'read-only-storage' : 'storage' },
      })),
    });
    const descriptor: GPUComputePipelineDescriptor = {
      label: key,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [bindGroupLayout] }),
      compute: { module, entryPoint: entry },
    };
    return { bindGroupLayout, descriptor };
  }

  private pipelineFor(spec: KernelSpec): CachedPipeline {
    let p = this.pipelines.get(spec.key);
    if (p) return p;
    const t0 = performance.now();
    const layout = kernelLayout(spec);
    const source: KernelSource = { key: spec.key, code: spec.code, entry: spec.entry, access: layout.bindings.map((b) => b.access) };
    const { bindGroupLayout, descriptor } = this.describe(source.key, source.code, source.entry, source.access);
    const pipeline = this.device.createComputePipeline(descriptor);
    p = { ...layout, pipeline, bindGroupLayout };
    this.pipelines.set(spec.key, p);
    this.sources.set(spec.key, source);
    this.compileMs += performance.now() - t0;
    return p;
  }

  /** Every kernel this runtime has created a pipeline for, as sources prewarm() takes. */
  kernelSources(): KernelSource[] {
    return [...this.sources.values()];
  }

  /**
   * Creates pipelines for saved kernel sources in the background, all at once (Dawn compiles
   * them on its worker threads: 44 kernels in 0.31 s against 0.55 s one by one on lavapipe),
   * and holds them. Nothing is bound to them: when a kernel with the same code is first
   * dispatched, its pipeline is created as usual and the device's object cache, which matches
   * pipelines by content, returns the prewarmed one at once. So a stale or wrong source costs
   * only its compile; an invalid one is skipped. Resolves to the number of pipelines made.
   */
  async prewarm(list: readonly KernelSource[]): Promise<number> {
    this.throwIfLost();
    const todo = list.filter((s) => !this.pipelines.has(s.key));
    // Scoped so a broken source reports nowhere (the runtime would otherwise raise it at the
    // next readback); only the calls made here, synchronously, fall in the scope.
    this.device.pushErrorScope('validation');
    const pending = todo.map((s) => {
      try {
        return this.device.createComputePipelineAsync(this.describe(s.key, s.code, s.entry, s.access).descriptor);
      } catch {
        return Promise.reject(new Error(s.key));
      }
    });
    void this.device.popErrorScope().catch(() => {});
    const made = await Promise.allSettled(pending);
    let n = 0;
    for (const m of made)
      if (m.status === 'fulfilled') {
        this.warmed.push(m.value);
        n++;
      }
    return n;
  }

  get pipelineCount(): number {
    return this.pipelines.size;
  }

  private uniform(data: ArrayBuffer): GPUBuffer {
    const buf = this.pool.acquire(data.byteLength, UNIFORM);
    this.device.queue.writeBuffer(buf, 0, data);
    this.pendingUniforms.push(buf);
    return buf;
  }

  private ensurePass(): GPUComputePassEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    if (!this.pass) this.pass = this.encoder.beginComputePass();
    return this.pass;
  }

  /**
   * Records one dispatch into the current pass. Every binding the kernel's WGSL declares is
   * bound by name; the uniform binding takes its struct's values by member name. `workgroups`
   * is the grid, or a count of work items that the spec's grid() lays out.
   */
  dispatch<U extends UniformDecl>(spec: KernelSpec<U>, resources: Bindings<U>, workgroups: readonly number[] | number): void {
    this.throwIfLost();
    const p = this.pipelineFor(spec);
    const entries = p.bindings.map((b, i) => {
      const r = resources[b.name];
      if (r === undefined) throw new Error(`kernel ${spec.key}: binding '${b.name}' (@binding(${i})) is not bound`);
      let buffer: GPUBuffer;
      if (b.access === 'uniform') {
        if (r instanceof Tensor || Object.getPrototypeOf(r) !== Object.prototype)
          throw new Error(`kernel ${spec.key}: uniform ${b.name} takes its members by name, got ${String(r)}`);
        buffer = this.uniform(packUniforms(spec.key, p.uniform!, r as UniformValues));
      } else if (r instanceof Tensor) {
        if (r.isDisposed) throw new Error(`kernel ${spec.key}: ${b.name} is a disposed tensor`);
        buffer = r.buffer;
      } else if (Object.getPrototypeOf(r) === Object.prototype) throw new Error(`kernel ${spec.key}: ${b.name} is a storage binding, got uniform values`);
      else buffer = r as GPUBuffer;
      return { binding: i, resource: { buffer } };
    });
    // Each declared binding was found, so more names than bindings means one the WGSL lacks.
    const names = Object.keys(resources);
    if (names.length !== p.bindings.length) {
      const unknown = names.filter((n) => !p.bindings.some((b) => b.name === n));
      throw new Error(`kernel ${spec.key}: its WGSL declares no binding ${unknown.map((n) => `'${n}'`).join(', ')} (bindings: ${p.bindings.map((b) => b.name).join(', ')})`);
    }
    const bindGroup = this.device.createBindGroup({ layout: p.bindGroupLayout, entries });
    const [x = 1, y = 1, z = 1] = typeof workgroups === 'number' ? spec.grid(workgroups) : workgroups;
    if (x === 0 || y === 0 || z === 0) return;
    const max = this.maxWorkgroups;
    if (x > max || y > max || z > max) throw new Error(`kernel ${spec.key}: grid ${x}x${y}x${z} over the ${max} limit`);
    const prof = this.profiler;
    if (prof) {
      // Its own pass, bracketed by timestamps (see engine/profiler.ts).
      this.endPass();
      this.encoder ??= this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass({ timestampWrites: prof.passFor(spec.key) });
    }
    const pass = this.ensurePass();
    pass.setPipeline(p.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    this.dispatchCount++;
    this.clock.noteDispatch(spec.key);
    if (prof) {
      this.endPass();
      if (prof.full) this.flush();
    }
  }

  /**
   * Starts timing every dispatch on the GPU (timestamp queries; the device needs the
   * 'timestamp-query' feature). Each dispatch then gets its own pass: for benchmarks only.
   */
  startProfile(): void {
    if (!this.device.features.has('timestamp-query')) throw new Error(`this adapter has no 'timestamp-query' feature: no kernel profile`);
    this.flush();
    this.profiler ??= new Profiler(this.device);
  }

  /** Stops profiling; GPU time per kernel key since startProfile(), largest first. */
  async stopProfile(): Promise<KernelTime[]> {
    const prof = this.profiler;
    if (!prof) return [];
    this.flush();
    this.profiler = null;
    const rows = await prof.results();
    prof.destroy();
    return rows;
  }

  copy(src: Tensor, dst: Tensor): void {
    if (src.byteSize !== dst.byteSize) throw new Error('copy: sizes differ');
    this.copyRange(src, 0, dst, 0, src.size);
  }

  /** Copies `count` elements from src[srcStart..] to dst[dstStart..] (recorded in order with the dispatches). */
  copyRange(src: Tensor, srcStart: number, dst: Tensor, dstStart: number, count: number): void {
    if (srcStart < 0 || dstStart < 0 || count < 0 || srcStart + count > src.size || dstStart + count > dst.size)
      throw new Error(`copyRange: [${srcStart}, +${count}) of ${src} -> [${dstStart}, +${count}) of ${dst} is out of range`);
    if (count === 0) return;
    this.endPass();
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    this.encoder.copyBufferToBuffer(src.buffer, srcStart * 4, dst.buffer, dstStart * 4, count * 4);
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  /** Submits everything recorded so far as one command buffer. */
  flush(): void {
    this.throwIfLost();
    this.endPass();
    if (this.encoder) {
      const collect = this.profiler?.resolve(this.encoder);
      this.device.queue.submit([this.encoder.finish()]);
      collect?.();
      this.clock.noteSubmit();
      this.encoder = null;
      this.submitCount++;
    }
    for (const u of this.pendingUniforms) this.pool.release(u);
    this.pendingUniforms.length = 0;
    this.pool.recycle();
  }

  /** Copies a tensor to the CPU. Submits pending work first. */
  async read<D extends DType>(t: Tensor & { dtype: D }): Promise<TypedArrayFor<D>>;
  async read(t: Tensor): Promise<TypedArrayFor<DType>>;
  async read(t: Tensor): Promise<TypedArrayFor<DType>> {
    if (t.isDisposed) throw new Error(`read: ${t} was disposed`);
    this.throwIfLost();
    const staging = this.pool.acquire(t.byteSize, READBACK);
    this.endPass();
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    this.encoder.copyBufferToBuffer(t.buffer, 0, staging, 0, t.byteSize);
    this.flush();
    await this.quietWait();
    await this.guard(staging.mapAsync(0x1 /* READ */, 0, t.byteSize));
    this.clock.noteDone();
    const bytes = staging.getMappedRange(0, t.byteSize).slice(0);
    staging.unmap();
    this.pool.release(staging);
    this.throwDeviceError();
    return t.dtype === 'f32' ? new Float32Array(bytes) : t.dtype === 'i32' ? new Int32Array(bytes) : new Uint32Array(bytes);
  }

  async readScalar(t: Tensor): Promise<number> {
    return (await this.read(t))[0]!;
  }

  /** Sleeps through the part of the submitted work that is expected to remain (engine/wait.ts). */
  private async quietWait(): Promise<void> {
    const ms = this.clock.sleepMs();
    if (ms > 0) {
      await sleep(ms);
      this.clock.noteWoke();
    }
  }

  async sync(): Promise<void> {
    this.flush();
    await this.quietWait();
    await this.guard(this.device.queue.onSubmittedWorkDone());
    this.clock.noteDone();
    this.throwDeviceError();
  }

  private throwDeviceError(): void {
    const e = this.deviceError;
    if (e) {
      this.deviceError = null;
      throw e;
    }
  }

  async destroy(): Promise<void> {
    if (this.lostError) return; // nothing left to wait for or free
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.pool.destroyAll();
    this.device.removeEventListener('uncapturederror', this.onDeviceError);
    await this.ctx.destroy();
  }
}

function collectTensors(v: unknown, out: Set<Tensor>, depth = 0): void {
  if (depth > 4 || v == null) return;
  if (v instanceof Tensor) out.add(v);
  else if (Array.isArray(v)) for (const x of v) collectTensors(x, out, depth + 1);
  else if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    for (const x of Object.values(v as object)) collectTensors(x, out, depth + 1);
}
