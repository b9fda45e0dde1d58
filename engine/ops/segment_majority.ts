// Segment majority vote on the GPU: out[i] = the most frequent label in i's segment (ties:
// the smallest label). The segmentation is fixed while labels change, so its CSR index
// (elements grouped by segment) is built once with segmentIndex() and reused every call.
import { majorityCapacity, segmentMajorityKernel } from '../../kernels/refine.ts';
import type { Runtime } from '../runtime.ts';
import type { Tensor } from '../tensor.ts';

export interface SegmentIndex {
  /** Number of segments K. */
  readonly count: number;
  /** Number of elements N. */
  readonly size: number;
  /** i32 [K + 1]: segment k owns members[offsets[k] .. offsets[k + 1]). */
  readonly offsets: Tensor;
  /** i32 [N]: element ids grouped by segment, increasing within a segment. */
  readonly members: Tensor;
  dispose(): void;
}

/**
 * Builds the CSR index of a segmentation (ids in 0..count-1, count defaults to max + 1) by a
 * counting sort on the CPU, uploads it once and keeps it past any scope: call dispose().
 */
export function segmentIndex(rt: Runtime, ids: Int32Array, count?: number): SegmentIndex {
  if (ids.length === 0) throw new Error('segmentIndex: empty segmentation');
  let k = count ?? 0;
  if (count === undefined) for (const id of ids) k = Math.max(k, id + 1);
  const offsets = new Int32Array(k + 1);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!(id >= 0 && id < k)) throw new Error(`segmentIndex: id ${id} at ${i} is outside 0..${k - 1}`);
    offsets[id + 1]!++;
  }
  for (let s = 0; s < k; s++) offsets[s + 1]! += offsets[s]!;
  const fillAt = offsets.slice(0, k);
  const members = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) members[fillAt[ids[i]!]!++] = i;
  const tOffsets = rt.keep(rt.fromData(offsets, [k + 1], 'i32'));
  const tMembers = rt.keep(rt.fromData(members, [ids.length], 'i32'));
  return {
    count: k,
    size: ids.length,
    offsets: tOffsets,
    members: tMembers,
    dispose() {
      tOffsets.dispose();
      tMembers.dispose();
    },
  };
}

/**
 * For labels i32 (or u32) [N] in 0..numClasses-1, returns i32 [N] where every element carries
 * its segment's majority label (smallest label on ties; -1 for a segment with no label in
 * range). Integer output, no gradient. Writes into `out` when given.
 */
export function segmentMajority(labels: Tensor, index: SegmentIndex, numClasses: number, out?: Tensor): Tensor {
  const rt = labels.rt;
  if (labels.size !== index.size) throw new Error(`segmentMajority: ${labels} does not match an index over ${index.size} elements`);
  if (labels.dtype === 'f32') throw new Error('segmentMajority: labels must be integers (i32 or u32)');
  if (!(Number.isInteger(numClasses) && numClasses >= 1)) throw new Error(`segmentMajority: numClasses ${numClasses}`);
  const cap = majorityCapacity(numClasses);
  const bytes = cap * 4 + 8; // histogram + the two winner atomics
  const limit = rt.limits.maxComputeWorkgroupStorageSize;
  if (bytes > limit) throw new Error(`segmentMajority: ${numClasses} classes need ${bytes} bytes of workgroup memory, over ${limit}`);
  const target = out ?? rt.empty([index.size], 'i32');
  if (target.size !== index.size || target.dtype !== 'i32') throw new Error(`segmentMajority: out must be i32 [${index.size}]`);
  rt.dispatch(
    segmentMajorityKernel(cap),
    { labels, offsets: index.offsets, members: index.members, voted: target, p: { k: index.count, q: numClasses } },
    index.count,
  );
  return target;
}
