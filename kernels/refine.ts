// Segment majority vote: every element of a segment gets the label most frequent in that
// segment (ties: the smallest label). Segments are given as a CSR index built once:
// `offsets` [K + 1] and `members` [N] (element ids grouped by segment), so one workgroup owns
// one segment, counts its labels in a workgroup-memory histogram (integer atomics: the counts
// do not depend on the order of the adds), picks the winner with a fixed-order reduction and
// writes it to its members. No global histogram to clear, no float atomics.
import { binds, bindingsWgsl, defineKernel, type KernelSpec } from './spec.ts';

export const MAJORITY_WG = 64;

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
export function segmentMajorityKernel(cap: number): KernelSpec {
  const WG = MAJORITY_WG;
  const b = binds('labels:read', 'offsets:read', 'members:read', 'voted:read_write', 'p:uniform');
  return defineKernel(
    `refine.majority.wg${WG}.cap${cap}`,
    `struct P { k: u32, q: u32 }
${bindingsWgsl(b, { labels: 'array<i32>', offsets: 'array<i32>', members: 'array<i32>', voted: 'array<i32>', p: 'P' })}
var<workgroup> hist: array<atomic<u32>, ${cap}>;
var<workgroup> bestCount: array<u32, ${WG}>;
var<workgroup> bestLabel: array<i32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  // One segment per workgroup; groups past K (grid folding) get an empty range but still
  // reach every barrier.
  let k = wid.x + wid.y * nwg.x;
  var start = 0u;
  var end = 0u;
  if (k < p.k) { start = u32(offsets[k]); end = u32(offsets[k + 1u]); }
  for (var t = lid; t < ${cap}u; t += ${WG}u) { atomicStore(&hist[t], 0u); }
  workgroupBarrier();
  for (var t = start + lid; t < end; t += ${WG}u) {
    let lab = labels[members[t]];
    if (lab >= 0 && u32(lab) < p.q) { atomicAdd(&hist[u32(lab)], 1u); }
  }
  workgroupBarrier();
  // Each thread scans labels lid, lid + WG, ... in increasing order (strict > keeps the
  // smaller label on ties), then a tree reduction with the same tie rule.
  var bc = 0u;
  var bl = -1;
  for (var t = lid; t < p.q; t += ${WG}u) {
    let c = atomicLoad(&hist[t]);
    if (c > bc) { bc = c; bl = i32(t); }
  }
  bestCount[lid] = bc;
  bestLabel[lid] = bl;
  workgroupBarrier();
  for (var h = ${WG / 2}u; h > 0u; h >>= 1u) {
    if (lid < h) {
      let oc = bestCount[lid + h];
      let ol = bestLabel[lid + h];
      let mc = bestCount[lid];
      if (oc > mc || (oc == mc && oc > 0u && ol < bestLabel[lid])) { bestCount[lid] = oc; bestLabel[lid] = ol; }
    }
    workgroupBarrier();
  }
  let winner = bestLabel[0];
  for (var t = start + lid; t < end; t += ${WG}u) { voted[members[t]] = winner; }
}`,
    b,
  );
}
