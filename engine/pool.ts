// Buffer pool keyed by (usage, byte size).
//
// Two kinds of released buffer. A tensor disposed while its commands are still being encoded
// (`encoderFree`) can be handed straight to a tensor that a later command of the same encoder
// writes: commands run in the order they were encoded, and WebGPU orders the dispatches' reads
// and writes. It must not go to a tensor filled by queue.writeBuffer, which runs at submit,
// before every command of the encoder, so it would overwrite data that earlier commands still
// read; those take buffers from `free`, which only holds buffers released before the last
// submit. Without the first kind a training step would hold every temporary it ever made until
// its single submit: freeing during the step is what keeps the peak near the live set.

export class BufferPool {
  private free = new Map<string, GPUBuffer[]>();
  private encoderFree = new Map<string, GPUBuffer[]>();
  private pending: Array<[string, GPUBuffer]> = [];
  private live = new Set<GPUBuffer>();
  allocations = 0;
  /** Bytes of every buffer this pool created (it never destroys one before destroyAll): the GPU memory it holds. */
  bytesAllocated = 0;
  /** Bytes in use by live buffers now, and the most there ever were. */
  liveBytes = 0;
  peakLiveBytes = 0;

  constructor(private device: GPUDevice) {}

  static roundSize(bytes: number): number {
    // 16-byte minimum and granularity (uniform buffers need 16). Exact sizes otherwise: the
    // training loop asks for the same sizes every step, so exact keys reuse perfectly.
    return Math.max(16, Math.ceil(bytes / 16) * 16);
  }

  /**
   * A buffer of at least `bytes`. `gpuWritten`: its first write will be a command encoded
   * after this call (not queue.writeBuffer), so a buffer released earlier in the same
   * encoder may be reused.
   */
  acquire(bytes: number, usage: GPUBufferUsageFlags, gpuWritten = false): GPUBuffer {
    const size = BufferPool.roundSize(bytes);
    const key = `${usage}:${size}`;
    const buf = (gpuWritten ? this.encoderFree.get(key)?.pop() : undefined) ?? this.free.get(key)?.pop() ?? this.create(size, usage);
    this.live.add(buf);
    this.liveBytes += size;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
    return buf;
  }

  private create(size: number, usage: GPUBufferUsageFlags): GPUBuffer {
    this.allocations++;
    this.bytesAllocated += size;
    return this.device.createBuffer({ size, usage });
  }

  /**
   * Gives a buffer back. `encoderOrdered`: its last use was a command of the open encoder (a
   * tensor), so later commands of that encoder may reuse it; otherwise (uniforms, staging
   * buffers) it waits for the next submit.
   */
  release(buf: GPUBuffer, encoderOrdered = false): void {
    if (!this.live.delete(buf)) return;
    this.liveBytes -= buf.size;
    const key = `${buf.usage}:${buf.size}`;
    if (!encoderOrdered) {
      this.pending.push([key, buf]);
      return;
    }
    let list = this.encoderFree.get(key);
    if (!list) this.encoderFree.set(key, (list = []));
    list.push(buf);
  }

  /** Called after each queue.submit(): everything released so far is safe for any use. */
  recycle(): void {
    const add = (key: string, buf: GPUBuffer) => {
      let list = this.free.get(key);
      if (!list) this.free.set(key, (list = []));
      list.push(buf);
    };
    for (const [key, buf] of this.pending) add(key, buf);
    this.pending.length = 0;
    for (const [key, list] of this.encoderFree) for (const buf of list) add(key, buf);
    this.encoderFree.clear();
  }

  get liveCount(): number {
    return this.live.size;
  }

  /** Starts a new peak measurement from the bytes live now. */
  resetPeak(): void {
    this.peakLiveBytes = this.liveBytes;
  }

  destroyAll(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    for (const list of this.encoderFree.values()) for (const b of list) b.destroy();
    for (const [, b] of this.pending) b.destroy();
    for (const b of this.live) b.destroy();
    this.free.clear();
    this.encoderFree.clear();
    this.pending.length = 0;
    this.live.clear();
    this.liveBytes = 0;
  }
}
