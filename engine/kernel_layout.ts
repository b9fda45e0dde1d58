// What a kernel's WGSL declares, read back with wgsl_reflect once per pipeline: its bindings,
// the member offsets of its uniform struct and its workgroup size. The runtime binds by it:
// every binding the WGSL declares must be given, and named uniform values are packed at the
// offsets the WGSL gives them, so an op can neither miss a binding nor misplace a uniform.
import { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import type { Access, KernelSpec, UniformType, UniformValues } from '../kernels/spec.ts';

export interface BindingLayout {
  name: string;
  access: Access;
}

export interface UniformMember {
  name: string;
  type: UniformType;
  /** Byte offset in the struct. */
  offset: number;
}

export interface KernelLayout {
  /** In @binding order (all in @group(0)). */
  bindings: BindingLayout[];
  /** The members of the struct at the uniform binding, in declaration order. */
  uniform: { binding: string; members: UniformMember[]; byteSize: number } | null;
  workgroup: [number, number, number];
}

const SCALARS: readonly string[] = ['u32', 'i32', 'f32'];

/** Reads the layout of a kernel's WGSL (`entry` names its compute entry point). */
export function reflectLayout(code: string, entry = 'main'): KernelLayout {
  const r = new WgslReflect(code);
  const groups = r.getBindGroups();
  if (groups.length > 1) throw new Error('kernels use only @group(0)');
  let uniform: KernelLayout['uniform'] = null;
  const bindings = (groups[0] ?? []).map((b, i): BindingLayout => {
    if (!b) throw new Error(`binding ${i} missing (bindings must be dense)`);
    if (b.resourceType !== 0) return { name: b.name, access: b.access === 'read_write' ? 'read_write' : 'read' };
    if (uniform) throw new Error(`two uniform bindings (${uniform.binding}, ${b.name}): kernels have one struct P`);
    const members = (b.members ?? []).map((m) => {
      if (!SCALARS.includes(m.type.name)) throw new Error(`uniform member ${b.name}.${m.name} is ${m.type.name}: only u32, i32 and f32 are packed`);
      return { name: m.name, type: m.type.name as UniformType, offset: m.offset };
    });
    // Uniform buffer bindings are sized in 16-byte units.
    uniform = { binding: b.name, members, byteSize: Math.max(16, Math.ceil(b.type.size / 16) * 16) };
    return { name: b.name, access: 'uniform' };
  });
  const fn = r.entry.compute.find((f) => f.name === entry);
  if (!fn) throw new Error(`no @compute entry point '${entry}'`);
  const [x = 1, y = 1, z = 1] = fn.workgroupSize ?? [];
  return { bindings, uniform, workgroup: [x, y, z] };
}

/**
 * The layout of a spec's WGSL, checked against what the spec says of it (the uniform members
 * and their types, in order, and the workgroup size): a hand-written WGSL struct or
 * @workgroup_size that drifted from the spec is refused before it is ever dispatched.
 */
export function kernelLayout(spec: KernelSpec): KernelLayout {
  const layout = reflectLayout(spec.code, spec.entry);
  const declared = Object.entries(spec.uniforms).map(([name, type]) => `${name}: ${type}`);
  const found = layout.uniform?.members.map((m) => `${m.name}: ${m.type}`) ?? [];
  if (declared.join(', ') !== found.join(', '))
    throw new Error(`kernel ${spec.key}: its WGSL uniform struct has {${found.join(', ')}}, its spec declares {${declared.join(', ')}}`);
  if (layout.workgroup.join('x') !== spec.workgroup.join('x'))
    throw new Error(`kernel ${spec.key}: its WGSL has @workgroup_size(${layout.workgroup}), its spec says ${spec.workgroup.join('x')}`);
  return layout;
}

/** Packs named uniform values at their WGSL offsets; a missing or unknown name is an error. */
export function packUniforms(key: string, uniform: NonNullable<KernelLayout['uniform']>, values: UniformValues): ArrayBuffer {
  const buf = new ArrayBuffer(uniform.byteSize);
  const view = new DataView(buf);
  const members = uniform.members;
  for (const m of members) {
    const v = values[m.name];
    if (typeof v !== 'number') throw new Error(`kernel ${key}: uniform ${uniform.binding}.${m.name} (${m.type}) is ${v === undefined ? 'missing' : `not a number: ${String(v)}`}`);
    if (m.type === 'f32') view.setFloat32(m.offset, v, true);
    else if (m.type === 'u32') {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`kernel ${key}: uniform ${uniform.binding}.${m.name} is u32, got ${v}`);
      view.setUint32(m.offset, v, true);
    } else {
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new Error(`kernel ${key}: uniform ${uniform.binding}.${m.name} is i32, got ${v}`);
      view.setInt32(m.offset, v, true);
    }
  }
  // Each member was found, so more names than members means an unknown one.
  const names = Object.keys(values);
  if (names.length !== members.length) {
    const unknown = names.filter((n) => !members.some((m) => m.name === n));
    throw new Error(`kernel ${key}: uniform ${uniform.binding} has no member ${unknown.map((n) => `'${n}'`).join(', ')} (members: ${members.map((m) => m.name).join(', ')})`);
  }
  return buf;
}
