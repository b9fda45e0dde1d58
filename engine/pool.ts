// Buffer pool keyed by (usage, byte size). Buffers released while commands that may use
// them are still being encoded go to `pending` and only become reusable after the next
// submit: a queue.writeBuffer into a reused buffer would otherwise overtake the commands
// encoded before it. In steady-state training every step finds its buffers in `free`.

export class BufferPool {
  private free = new Map<string, GPUBuffer[]>();
  private pending: Array<[string, GPUBuffer]> = [];
  private live = new Set<GPUBuffer>();
  allocations = 0;
  bytesAllocated = 0;

  constructor(private device: GPUDevice) {}

  static roundSize(bytes: number): number {
    // 16-byte minimum and granularity (uniform buffers need 16). Exact sizes otherwise: the
    // training loop asks for the same sizes every step, so exact keys reuse perfectly.
    return Math.max(16, Math.ceil(bytes / 16) * 16);
  }

  acquire(bytes: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const size = BufferPool.roundSize(bytes);
    const key = `${usage}:${size}`;
    const list = this.free.get(key);
    const buf = list?.pop() ?? this.create(size, usage);
    this.live.add(buf);
    return buf;
  }

  private create(size: number, usage: GPUBufferUsageFlags): GPUBuffer {
    this.allocations++;
    this.bytesAllocated += size;
    return this.device.createBuffer({ size, usage });
  }

  release(buf: GPUBuffer): void {
    if (!this.live.delete(buf)) return;
    this.pending.push([`${buf.usage}:${buf.size}`, buf]);
  }

  /** Called after each queue.submit(). */
  recycle(): void {
    for (const [key, buf] of this.pending) {
      let list = this.free.get(key);
      if (!list) this.free.set(key, (list = []));
      list.push(buf);
    }
    this.pending.length = 0;
  }

  get liveCount(): number {
    return this.live.size;
  }

  destroyAll(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    for (const [, b] of this.pending) b.destroy();
    for (const b of this.live) b.destroy();
    this.free.clear();
    this.pending.length = 0;
    this.live.clear();
  }
}
