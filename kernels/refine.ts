// Segment majority vote: every element of a segment gets the label most frequent in that
// segment (ties: the smallest label). Segments are given as a CSR index built once:
// `offsets` [K + 1] and `members` [N] (element ids grouped by segment), so one workgroup owns
// one segment, counts its labels in a workgroup-memory histogram, picks the winner and writes
// it to its members. Everything is integer atomics (add, max, min), whose results do not
// depend on the order threads run in: deterministic. No global histogram to clear.
import { binds, defineKernel, grid1d } from './spec.ts';

const MAJORITY_WG = 64;

/** Histogram capacity for `numClasses` labels: a power of two >= 64, so few pipelines exist. */
export function majorityCapacity(numClasses: number): number {
  let cap = 64;
  while (cap < numClasses) cap *= 2;
  return cap;
}

/**
 * `cap` bins of workgroup memory (4 bytes each) bound the number of classes. Labels outside
 * 0..numClasses-1 are ignored; a segment with none in range gets -1.
 */
export function segmentMajorityKernel(cap: number) {
  const WG = MAJORITY_WG;
  const b = binds('labels:read', 'offsets:read', 'members:read', 'voted:read_write', 'p:uniform');
  return defineKernel({
    key: `refine.majority.wg${WG}.cap${cap}`,
    bindings: b,
    types: { labels: 'array<i32>', offsets: 'array<i32>', members: 'array<i32>', voted: 'array<i32>' },
    uniforms: { k: 'u32', q: 'u32' },
    workgroup: WG,
    // One workgroup per segment (folded into 2-D past 65535).
    grid: (segments) => grid1d(segments, 1),
    source: (decls) => `${decls}
var<workgroup> hist: array<atomic<u32>, ${cap}>;
var<workgroup> maxCount: atomic<u32>;
var<workgroup> minLabel: atomic<u32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  // One segment per workgroup; groups past K (grid folding) get an empty range but still
  // reach every barrier.
  let k = wid.x + wid.y * nwg.x;
  var start = 0u;
  var end = 0u;
  if (k < p.k) { start = u32(offsets[k]); end = u32(offsets[k + 1u]); }
  for (var t = lid; t < ${cap}u; t += ${WG}u) { atomicStore(&hist[t], 0u); }
  if (lid == 0u) { atomicStore(&maxCount, 0u); atomicStore(&minLabel, 0xffffffffu); }
  workgroupBarrier();
  for (var t = start + lid; t < end; t += ${WG}u) {
    let lab = labels[members[t]];
    if (lab >= 0 && u32(lab) < p.q) { atomicAdd(&hist[u32(lab)], 1u); }
  }
  workgroupBarrier();
  // The winner in two integer-atomic rounds (order-independent, so deterministic): the
  // largest count, then the smallest label holding it.
  var bc = 0u;
  for (var t = lid; t < p.q; t += ${WG}u) { bc = max(bc, atomicLoad(&hist[t])); }
  atomicMax(&maxCount, bc);
  workgroupBarrier();
  let top = atomicLoad(&maxCount);
  for (var t = lid; t < p.q; t += ${WG}u) {
    if (top > 0u && atomicLoad(&hist[t]) == top) { atomicMin(&minLabel, t); break; }
  }
  workgroupBarrier();
  let best = atomicLoad(&minLabel);
  let winner = select(i32(best), -1, best == 0xffffffffu);
  for (var t = start + lid; t < end; t += ${WG}u) { voted[members[t]] = winner; }
}`,
  });
}
