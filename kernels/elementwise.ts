// Elementwise kernels over flat arrays: fill, binary (add, sub, mul), affine (a*x + b),
// ReLU forward / backward. One thread per element, 1-D grid folded into 2-D (see grid1d).
import { binds, defineKernel, type KernelSpec } from './spec.ts';

const EW_WG = 256;

const idx = `let i = gid.x + gid.y * (nwg.x * ${EW_WG}u);`;
const head = `@compute @workgroup_size(${EW_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u)`;

export function fillKernel() {
  return defineKernel({
    key: 'ew.fill',
    bindings: binds('y:read_write', 'p:uniform'),
    uniforms: { n: 'u32', value: 'f32' },
    workgroup: EW_WG,
    source: (decls) => `${decls}
${head} { ${idx} if (i < p.n) { y[i] = p.value; } }`,
  });
}

export type BinaryOp = 'add' | 'sub' | 'mul';
const binExpr: Record<BinaryOp, string> = { add: 'a[i] + b[i]', sub: 'a[i] - b[i]', mul: 'a[i] * b[i]' };

export function binaryKernel(op: BinaryOp) {
  return defineKernel({
    key: `ew.${op}`,
    bindings: binds('a:read', 'b:read', 'y:read_write', 'p:uniform'),
    uniforms: { n: 'u32' },
    workgroup: EW_WG,
    source: (decls) => `${decls}
${head} { ${idx} if (i < p.n) { y[i] = ${binExpr[op]}; } }`,
  });
}

/** y = x * scale + shift */
export function affineKernel() {
  return defineKernel({
    key: 'ew.affine',
    bindings: binds('x:read', 'y:read_write', 'p:uniform'),
    uniforms: { n: 'u32', scale: 'f32', shift: 'f32' },
    workgroup: EW_WG,
    source: (decls) => `${decls}
${head} { ${idx} if (i < p.n) { y[i] = x[i] * p.scale + p.shift; } }`,
  });
}

export function reluKernel() {
  return defineKernel({
    key: 'ew.relu',
    bindings: binds('x:read', 'y:read_write', 'p:uniform'),
    uniforms: { n: 'u32' },
    workgroup: EW_WG,
    source: (decls) => `${decls}
${head} { ${idx} if (i < p.n) { y[i] = max(x[i], 0.0); } }`,
  });
}

/** dx = dy where the forward output was positive (y > 0), else 0. */
export function reluBackwardKernel() {
  return defineKernel({
    key: 'ew.relu_bwd',
    bindings: binds('y:read', 'dy:read', 'dx:read_write', 'p:uniform'),
    uniforms: { n: 'u32' },
    workgroup: EW_WG,
    source: (decls) => `${decls}
${head} { ${idx} if (i < p.n) { dx[i] = select(0.0, dy[i], y[i] > 0.0); } }`,
  });
}

export const elementwiseKernels = (): KernelSpec[] => [
  fillKernel(),
  binaryKernel('add'),
  binaryKernel('sub'),
  binaryKernel('mul'),
  affineKernel(),
  reluKernel(),
  reluBackwardKernel(),
];
