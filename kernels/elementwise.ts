// Elementwise kernels over flat arrays: fill, binary (add, sub, mul), affine (a*x + b),
// ReLU forward / backward. One thread per element, 1-D grid folded into 2-D (see grid1d).
import { binds, bindingsWgsl, defineKernel, type KernelSpec } from './spec.ts';

export const EW_WG = 256;

const idx = `let i = gid.x + gid.y * (nwg.x * ${EW_WG}u);`;
const head = `@compute @workgroup_size(${EW_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u)`;

export function fillKernel(): KernelSpec {
  const b = binds('y:read_write', 'p:uniform');
  return defineKernel(
    'ew.fill',
    () => `struct P { n: u32, value: f32 }
${bindingsWgsl(b, { y: 'array<f32>', p: 'P' })}
${head} { ${idx} if (i < p.n) { y[i] = p.value; } }`,
    b,
  );
}

export type BinaryOp = 'add' | 'sub' | 'mul';
const binExpr: Record<BinaryOp, string> = { add: 'a[i] + b[i]', sub: 'a[i] - b[i]', mul: 'a[i] * b[i]' };

export function binaryKernel(op: BinaryOp): KernelSpec {
  const b = binds('a:read', 'b:read', 'y:read_write', 'p:uniform');
  return defineKernel(
    `ew.${op}`,
    () => `struct P { n: u32 }
${bindingsWgsl(b, { a: 'array<f32>', b: 'array<f32>', y: 'array<f32>', p: 'P' })}
${head} { ${idx} if (i < p.n) { y[i] = ${binExpr[op]}; } }`,
    b,
  );
}

/** y = x * scale + shift */
export function affineKernel(): KernelSpec {
  const b = binds('x:read', 'y:read_write', 'p:uniform');
  return defineKernel(
    'ew.affine',
    () => `struct P { n: u32, scale: f32, shift: f32 }
${bindingsWgsl(b, { x: 'array<f32>', y: 'array<f32>', p: 'P' })}
${head} { ${idx} if (i < p.n) { y[i] = x[i] * p.scale + p.shift; } }`,
    b,
  );
}

export function reluKernel(): KernelSpec {
  const b = binds('x:read', 'y:read_write', 'p:uniform');
  return defineKernel(
    'ew.relu',
    () => `struct P { n: u32 }
${bindingsWgsl(b, { x: 'array<f32>', y: 'array<f32>', p: 'P' })}
${head} { ${idx} if (i < p.n) { y[i] = max(x[i], 0.0); } }`,
    b,
  );
}

/** dx = dy where the forward output was positive (y > 0), else 0. */
export function reluBackwardKernel(): KernelSpec {
  const b = binds('y:read', 'dy:read', 'dx:read_write', 'p:uniform');
  return defineKernel(
    'ew.relu_bwd',
    () => `struct P { n: u32 }
${bindingsWgsl(b, { y: 'array<f32>', dy: 'array<f32>', dx: 'array<f32>', p: 'P' })}
${head} { ${idx} if (i < p.n) { dx[i] = select(0.0, dy[i], y[i] > 0.0); } }`,
    b,
  );
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
