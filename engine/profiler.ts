// Per-kernel GPU time from timestamp queries. While a profile is on, the runtime gives every
// dispatch its own compute pass whose begin/end timestamps land in a query set; at each flush
// the written queries are resolved into a buffer, copied to a mappable one and accumulated per
// kernel key once the GPU is done. Costs one pass per dispatch, so it is for benchmarks and
// `--profile` runs, never on by default. Needs the 'timestamp-query' feature (asked for by
// createGpuContext when the adapter has it).

const QUERY_RESOLVE = 0x200; // GPUBufferUsage.QUERY_RESOLVE
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const MAP_READ = 0x01;

export interface KernelTime {
  key: string;
  dispatches: number;
  ms: number;
}

export class Profiler {
  /** Queries per set: two per dispatch. A flush is forced when the set is full. */
  static readonly CAPACITY = 2048;
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuf: GPUBuffer;
  private keys: string[] = [];
  private readonly totals = new Map<string, KernelTime>();
  private readonly pending: Promise<void>[] = [];

  constructor(private readonly device: GPUDevice) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: Profiler.CAPACITY });
    this.resolveBuf = device.createBuffer({ size: Profiler.CAPACITY * 8, usage: QUERY_RESOLVE | COPY_SRC });
  }

  get full(): boolean {
    return this.keys.length * 2 >= Profiler.CAPACITY;
  }

  /** Timestamp writes for the pass of the next dispatch, which runs kernel `key`. */
  passFor(key: string): GPUComputePassTimestampWrites {
    const i = this.keys.length;
    this.keys.push(key);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Records the resolve + copy into `encoder`; call `collect()` after submitting it. */
  resolve(encoder: GPUCommandEncoder): (() => void) | null {
    const keys = this.keys;
    if (keys.length === 0) return null;
    this.keys = [];
    const bytes = keys.length * 16;
    const staging = this.device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST });
    encoder.resolveQuerySet(this.querySet, 0, keys.length * 2, this.resolveBuf, 0);
    encoder.copyBufferToBuffer(this.resolveBuf, 0, staging, 0, bytes);
    return () => {
      this.pending.push(
        staging.mapAsync(MAP_READ).then(() => {
          const t = new BigUint64Array(staging.getMappedRange().slice(0));
          staging.unmap();
          staging.destroy();
          keys.forEach((key, i) => {
            const ns = Number(t[2 * i + 1]! - t[2 * i]!);
            const row = this.totals.get(key) ?? { key, dispatches: 0, ms: 0 };
            row.dispatches++;
            // A timestamp pair the implementation could not order reads as a huge delta: skip it.
            if (ns >= 0 && ns < 1e12) row.ms += ns / 1e6;
            this.totals.set(key, row);
          });
        }),
      );
    };
  }

  /** Waits for every resolved batch; rows sorted by time, largest first. */
  async results(): Promise<KernelTime[]> {
    await Promise.all(this.pending.splice(0));
    return [...this.totals.values()].sort((a, b) => b.ms - a.ms);
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolveBuf.destroy();
  }
}
