// "Direct" GEMM-shaped kernels for CPU adapters (lavapipe, SwiftShader): no workgroup memory,
// no barriers, every invocation accumulates RM rows x 4 columns (one vec4) in registers and
// reads its operands straight from storage. On a CPU the caches do what workgroup tiles do on
// a GPU, while barriers are expensive and LLVM's compile time grows fast with unrolled
// register tiles (a 16x16 tiled kernel took 50-90 s to compile on lavapipe; these take well
// under a second). Same numbers as the tiled kernels in kernels/conv2d.ts, which stay the
// default on real GPUs. (Plain and batched products on CPU adapters: kernels/lane_gemm.ts.)
//
// Layouts (all row-major, channels-last): x [P, Cin] with P = H*W; conv weight [9*Cin, Cout]
// (row tap*Cin + ci, tap = ky*3 + kx, neighbour (y + ky - 1, x + kx - 1)). Any sizes: loads past an edge read 0, stores are bounds-checked.
import { binds, defineKernel, type KernelSpec } from './spec.ts';

const DIRECT_WG = 64;
export const DIRECT_RM = 8;

const R = Array.from({ length: DIRECT_RM }, (_, i) => i);

/** Invocation t owns rows m0 .. m0+RM-1 and columns n0 .. n0+3 of the [M, N] output. */
const prologue = `let t = gid.x + gid.y * (nwg.x * ${DIRECT_WG}u);
  // Neighbouring invocations take neighbouring row blocks and the same columns, so the
  // weight (B) reads of a SIMD batch on a CPU adapter hit one address.
  let rowBlocks = (p.m + ${DIRECT_RM - 1}u) / ${DIRECT_RM}u;
  let m0 = (t % rowBlocks) * ${DIRECT_RM}u;
  let n0 = (t / rowBlocks) * 4u;
  if (n0 >= p.n) { return; }
  ${R.map((i) => `var acc${i} = vec4f(0.0);`).join(' ')}`;

const head = `@compute @workgroup_size(${DIRECT_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u)`;

/** Reads 4 consecutive columns n0.. of row `row` of a row-major matrix with `cols` columns. */
const load4 = (arr: string) => `fn load4_${arr}(row: u32, n0: u32, cols: u32) -> vec4f {
  let base = row * cols + n0;
  if (n0 + 3u < cols) { return vec4f(${arr}[base], ${arr}[base + 1u], ${arr}[base + 2u], ${arr}[base + 3u]); }
  var v = vec4f(0.0);
  for (var j = 0u; j < 4u; j++) { if (n0 + j < cols) { v[j] = ${arr}[base + j]; } }
  return v;
}`;

function epilogue(bias: boolean): string {
  return R.map(
    (i) => `if (m0 + ${i}u < p.m) { store(m0 + ${i}u, n0, acc${i}${bias ? ' + load4_bias(0u, n0, p.n)' : ''}); }`,
  ).join('\n  ');
}

const store = `fn store(row: u32, n0: u32, v: vec4f) {
  for (var j = 0u; j < 4u; j++) { if (n0 + j < p.n) { out[row * p.n + n0 + j] = v[j]; } }
}`;

const nTaps = 9;

/** Forward conv3x3: out[p, co] = sum over taps, ci of x[nb(p, tap), ci] w[tap*Cin + ci, co] (+ bias). */
export function directConvForwardKernel(bias: boolean) {
  return defineKernel({
    key: `direct.conv_fwd${bias ? '.bias' : ''}`,
    bindings: binds('x:read', 'w:read', ...(bias ? ['bias:read'] : []), 'out:read_write', 'p:uniform'),
    uniforms: { m: 'u32', n: 'u32', cin: 'u32', height: 'u32', width: 'u32' },
    workgroup: DIRECT_WG,
    source: (decls) => `${decls}
${load4('w')}
${bias ? load4('bias') : ''}
${store}
${head} {
  ${prologue}
  ${R.map((i) => `let py${i} = i32(min(m0 + ${i}u, p.m - 1u) / p.width); let px${i} = i32(min(m0 + ${i}u, p.m - 1u) % p.width);`).join('\n  ')}
  for (var tap = 0u; tap < ${nTaps}u; tap++) {
    let dy = i32(tap / 3u) - 1;
    let dx = i32(tap % 3u) - 1;
    // Row of x each output row reads at this tap, or -1 outside the image (zero padding).
    // Out-of-image neighbours read pixel 0 and are multiplied by 0: no branch in the inner loop.
    ${R.map((i) => `let ok${i} = py${i} + dy >= 0 && py${i} + dy < i32(p.height) && px${i} + dx >= 0 && px${i} + dx < i32(p.width); let q${i} = select(0u, u32((py${i} + dy) * i32(p.width) + px${i} + dx), ok${i}) * p.cin; let k${i} = select(0.0, 1.0, ok${i});`).join('\n    ')}
    for (var ci = 0u; ci < p.cin; ci++) {
      let wv = load4_w(tap * p.cin + ci, n0, p.n);
      ${R.map((i) => `acc${i} = fma(vec4f(x[q${i} + ci] * k${i}), wv, acc${i});`).join('\n      ')}
    }
  }
  ${epilogue(bias)}
}`,
  });
}

/**
 * Input gradient of conv3x3: dx[p, ci] = sum over taps, co of g[nb(p, flipped tap), co] w[tap*Cin + ci, co]
 * (the forward conv with the kernel flipped in space and transposed in channels).
 */
export function directConvBackwardInputKernel() {
  return defineKernel({
    key: 'direct.conv_dx',
    bindings: binds('g:read', 'w:read', 'out:read_write', 'p:uniform'),
    uniforms: { m: 'u32', n: 'u32', cout: 'u32', height: 'u32', width: 'u32' },
    workgroup: DIRECT_WG,
    source: (decls) => `${decls}
${store}
${head} {
  ${prologue}
  ${R.map((i) => `let py${i} = i32(min(m0 + ${i}u, p.m - 1u) / p.width); let px${i} = i32(min(m0 + ${i}u, p.m - 1u) % p.width);`).join('\n  ')}
  let cin = p.n;
  for (var tap = 0u; tap < ${nTaps}u; tap++) {
    // Output pixel q = p - offset(tap) received x[p] through this tap.
    let dy = 1 - i32(tap / 3u);
    let dx = 1 - i32(tap % 3u);
    ${R.map((i) => `let q${i} = select(-1, (py${i} + dy) * i32(p.width) + px${i} + dx, py${i} + dy >= 0 && py${i} + dy < i32(p.height) && px${i} + dx >= 0 && px${i} + dx < i32(p.width));`).join('\n    ')}
    for (var co = 0u; co < p.cout; co++) {
      let base = tap * cin * p.cout + co;
      var wv = vec4f(0.0);
      for (var j = 0u; j < 4u; j++) { if (n0 + j < cin) { wv[j] = w[base + (n0 + j) * p.cout]; } }
      ${R.map((i) => `if (q${i} >= 0) { acc${i} = fma(vec4f(g[u32(q${i}) * p.cout + co]), wv, acc${i}); }`).join('\n      ')}
    }
  }
  ${epilogue(false)}
}`,
  });
}

/** Weight gradient of conv3x3: dw[tap*Cin + ci, co] = sum over pixels p of x[nb(p, tap), ci] g[p, co]. */
export function directConvBackwardWeightKernel() {
  return defineKernel({
    key: 'direct.conv_dw',
    bindings: binds('x:read', 'g:read', 'out:read_write', 'p:uniform'),
    uniforms: { m: 'u32', n: 'u32', cin: 'u32', height: 'u32', width: 'u32' },
    workgroup: DIRECT_WG,
    source: (decls) => `${decls}
${load4('g')}
${store}
${head} {
  ${prologue}
  // Rows m0.. are (tap, ci) pairs; a block of RM rows may span two taps.
  ${R.map((i) => `let r${i} = min(m0 + ${i}u, p.m - 1u); let tap${i} = r${i} / p.cin; let ci${i} = r${i} % p.cin; let dy${i} = i32(tap${i} / 3u) - 1; let dx${i} = i32(tap${i} % 3u) - 1;`).join('\n  ')}
  let pixels = p.height * p.width;
  for (var y = 0u; y < p.height; y++) {
    for (var xx = 0u; xx < p.width; xx++) {
      let gv = load4_g(y * p.width + xx, n0, p.n);
      // Branch-free zero padding, as in the forward: clamp the read, multiply by 0 or 1.
      ${R.map(
        (i) => `{ let sy = i32(y) + dy${i}; let sx = i32(xx) + dx${i};
        let ok = sy >= 0 && sy < i32(p.height) && sx >= 0 && sx < i32(p.width);
        let q = select(0u, (u32(sy) * p.width + u32(sx)) * p.cin + ci${i}, ok);
        acc${i} = fma(vec4f(x[q] * select(0.0, 1.0, ok)), gv, acc${i}); }`,
      ).join('\n      ')}
    }
  }
  ${epilogue(false)}
}`,
  });
}

/** Invocations for an [m, n] output. */
export function directThreads(m: number, n: number): number {
  return Math.ceil(m / DIRECT_RM) * Math.ceil(n / 4);
}

export const directKernels = (): KernelSpec[] => [
  directConvForwardKernel(false),
  directConvForwardKernel(true),
  directConvBackwardInputKernel(),
  directConvBackwardWeightKernel(),
];
