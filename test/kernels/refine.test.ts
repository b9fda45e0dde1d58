import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kernelLayout, segmentIndex, segmentMajority } from '../../engine/index.ts';
import { majorityCapacity, segmentMajorityKernel } from '../../kernels/refine.ts';
import { testEngine } from '../gpu.ts';
import { rng } from '../helpers.ts';

/** CPU reference: per segment, the most frequent in-range label (smallest on ties), else -1. */
function cpuMajority(labels: Int32Array, ids: Int32Array, k: number, q: number): Int32Array {
  return cpuMajorityWithTies(labels, ids, k, q).out;
}

function cpuMajorityWithTies(labels: Int32Array, ids: Int32Array, k: number, q: number): { out: Int32Array; ties: number } {
  const hist = new Int32Array(k * q);
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0 && labels[i]! < q) hist[ids[i]! * q + labels[i]!]!++;
  const best = new Int32Array(k).fill(-1);
  let ties = 0;
  for (let s = 0; s < k; s++) {
    let bc = 0, tied = false;
    for (let l = 0; l < q; l++) {
      const c = hist[s * q + l]!;
      if (c > bc) [bc, best[s], tied] = [c, l, false];
      else if (c === bc && c > 0) tied = true;
    }
    if (tied) ties++;
  }
  return { out: Int32Array.from(ids, (s) => best[s]!), ties };
}

/** Segment ids with very uneven sizes (singletons up to a few hundred), every id used. */
function randomSegments(n: number, k: number, seed: number): Int32Array {
  const r = rng(seed);
  const ids = Int32Array.from({ length: n }, (_, i) => (i < k ? i : Math.floor(r() ** 2 * k)));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids;
}

// [pixels, segments, classes]: few classes make ties common; 257 classes with 500 segments is
// MSInet-sized; 1 element, 1 segment and segments larger than a workgroup are edge cases.
const CASES: [number, number, number][] = [
  [1, 1, 1],
  [3, 2, 2],
  [257, 20, 3],
  [257, 100, 7],
  [4900, 500, 257],
  [4900, 3, 100],
  [10007, 70, 1000],
];

for (const [n, k, q] of CASES) {
  test(`segment majority matches the CPU: n=${n}, segments=${k}, classes=${q}`, async () => {
    const rt = await testEngine();
    const r = rng(n + q);
    const ids = randomSegments(n, k, n * 31 + k);
    // Few distinct labels per segment so that exact ties happen (tested: ties -> smallest).
    const labels = Int32Array.from(ids, (s) => ((s * 13) % q + (r() < 0.5 ? 0 : Math.floor(r() * Math.min(q, 4)))) % q);
    const { out: want, ties } = cpuMajorityWithTies(labels, ids, k, q);
    if (n >= 257 && q <= 7) assert.ok(ties > 0, 'the data should contain tied segments');
    const index = segmentIndex(rt, ids);
    try {
      assert.is(index.count, k);
      const got = await rt.scopeAsync(async () => segmentMajority(rt.fromData(labels, [n], 'i32'), index, q).read());
      assert.equal(Array.from(got), Array.from(want));
    } finally {
      index.dispose();
    }
  });
}

test('ties go to the smallest label; out-of-range labels are ignored; none in range gives -1', async () => {
  const rt = await testEngine();
  // Segment 0: labels 5,2,5,2 -> tie -> 2. Segment 1: 9 (out of range), 1 -> 1.
  // Segment 2: only out-of-range labels -> -1. Segment 3: 0 -> 0.
  const ids = Int32Array.from([0, 0, 1, 0, 1, 2, 0, 2, 3]);
  const labels = Int32Array.from([5, 2, 9, 5, 1, -3, 2, 6, 0]);
  const index = segmentIndex(rt, ids, 4);
  const got = await rt.scopeAsync(async () => segmentMajority(rt.fromData(labels, [9], 'i32'), index, 6).read());
  index.dispose();
  assert.equal(Array.from(got), [2, 2, 1, 2, 1, -1, 2, -1, 0]);
});

test('one segment index serves many majority votes, each writing into a given output', async () => {
  const rt = await testEngine();
  const ids = randomSegments(700, 40, 3);
  const index = segmentIndex(rt, ids, 40);
  const r = rng(4);
  await rt.scopeAsync(async () => {
    const out = rt.empty([700], 'i32');
    for (let round = 0; round < 3; round++) {
      const labels = Int32Array.from(ids, () => Math.floor(r() * 5));
      segmentMajority(rt.fromData(labels, [700], 'i32'), index, 5, out);
      assert.equal(Array.from(await out.read()), Array.from(cpuMajority(labels, ids, 40, 5)), `round ${round}`);
    }
  });
  index.dispose();
});

test('segmentIndex rejects ids outside 0..count-1; kernels declare their bindings', async () => {
  const rt = await testEngine();
  assert.throws(() => segmentIndex(rt, Int32Array.from([0, 2]), 2), /outside/);
  for (const q of [1, 100, 257]) kernelLayout(segmentMajorityKernel(majorityCapacity(q)));
  // 5000 classes would need 32 KiB of workgroup histogram: refused with a clear message.
  const index = segmentIndex(rt, Int32Array.from([0, 0, 1]));
  await rt.scopeAsync(async () => {
    assert.throws(() => segmentMajority(rt.fromData([1, 2, 3], [3], 'i32'), index, 5000), /workgroup memory/);
  });
  index.dispose();
});

test.run();
