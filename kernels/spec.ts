// A kernel's contract with the host, in one place: its bindings, its uniforms by name and type,
// its workgroup size and how a count of work items becomes a dispatch grid. The WGSL declarations
// of the bindings and of the uniform struct P are generated from it, and the WGSL itself is
// generated only when the runtime has no pipeline for the key yet. The runtime reads the
// generated WGSL back with wgsl_reflect (engine/kernel_layout.ts): uniforms are packed at the
// offsets the WGSL gives them, and a dispatch must bind every binding the WGSL declares.

export type Access = 'read' | 'read_write' | 'uniform';

export interface BindingDecl {
  name: string;
  access: Access;
}

/** The scalar types a uniform member may have (each 4 bytes). */
export type UniformType = 'u32' | 'i32' | 'f32';
/** The members of a kernel's uniform struct P, in declaration order. */
export type UniformDecl = Readonly<Record<string, UniformType>>;
/** What an op passes for the uniform binding: a value per member, by name. */
export type UniformValues<U extends UniformDecl = UniformDecl> = { readonly [K in keyof U]: number };

export type Grid = [number, number, number];

export interface KernelSpec<U extends UniformDecl = UniformDecl> {
  /** Unique per distinct WGSL text (family + parameters); the pipeline cache key. */
  readonly key: string;
  /** The WGSL, generated on first read: the runtime reads it only when its key is not cached yet. */
  readonly code: string;
  /** In @binding order, all in @group(0): what the declarations in the WGSL are generated from. */
  readonly bindings: readonly BindingDecl[];
  /** Members of the struct P bound at the uniform binding (empty when there is none). */
  readonly uniforms: U;
  /** @workgroup_size of the entry point; the runtime checks the WGSL declares exactly this. */
  readonly workgroup: readonly [number, number, number];
  readonly entry: string;
  /** The dispatch grid covering `count` work items (what a work item is: see the kernel). */
  grid(count: number): Grid;
}

export interface KernelDef<U extends UniformDecl> {
  key: string;
  bindings: readonly BindingDecl[];
  /** WGSL types of the storage bindings that are not `array<f32>`. */
  types?: Readonly<Record<string, string>>;
  uniforms?: U;
  /** @workgroup_size; a number is a 1-D workgroup. */
  workgroup: number | readonly [number, number?, number?];
  /**
   * Work items -> grid. Default: one invocation per item over a 1-D workgroup, folded into x and
   * y under the 65535 limit (the kernel reads `let i = gid.x + gid.y * (nwg.x * WG);`).
   */
  grid?: (count: number) => Grid;
  entry?: string;
  /** Builds the WGSL around `decls` (struct P and the binding declarations, generated from the above). */
  source: (decls: string) => string;
}

/**
 * A kernel whose WGSL is built by `source` on first use. Factories run at every dispatch and
 * a large generator costs up to a millisecond, so a pipeline-cache hit must not pay for it.
 */
export function defineKernel<const U extends UniformDecl = Record<never, UniformType>>(def: KernelDef<U>): KernelSpec<U> {
  const [x, y = 1, z = 1] = typeof def.workgroup === 'number' ? [def.workgroup] : def.workgroup;
  const uniforms = (def.uniforms ?? {}) as U;
  let code: string | undefined;
  return {
    key: def.key,
    bindings: def.bindings,
    uniforms,
    workgroup: [x, y, z],
    entry: def.entry ?? 'main',
    grid:
      def.grid ??
      ((count) => {
        if (y !== 1 || z !== 1) throw new Error(`kernel ${def.key}: a ${x}x${y}x${z} workgroup has no default 1-D grid`);
        return grid1d(count, x);
      }),
    get code() {
      return (code ??= def.source(declarationsWgsl(def.bindings, def.types ?? {}, uniforms)));
    },
  };
}

/** Shorthand: `binds('x:read', 'y:read_write', 'p:uniform')`. */
export function binds(...decls: string[]): BindingDecl[] {
  return decls.map((d) => {
    const [name, access] = d.split(':') as [string, Access];
    if (access !== 'read' && access !== 'read_write' && access !== 'uniform') throw new Error(`bad binding decl ${d}`);
    return { name, access };
  });
}

/** `struct P { n: u32, scale: f32 }` for the uniform members (nothing when there are none). */
export function uniformStruct(uniforms: UniformDecl): string {
  const members = Object.entries(uniforms).map(([name, type]) => `${name}: ${type}`);
  return members.length ? `struct P { ${members.join(', ')} }` : '';
}

/** The uniform struct and the binding declarations, in binding order, so sources cannot drift from them. */
function declarationsWgsl(decls: readonly BindingDecl[], types: Readonly<Record<string, string>>, uniforms: UniformDecl): string {
  const hasUniform = decls.some((d) => d.access === 'uniform');
  if (hasUniform !== Object.keys(uniforms).length > 0) throw new Error(`a uniform binding needs uniform members and the other way round`);
  const lines = decls.map((d, i) => {
    const cls = d.access === 'uniform' ? 'uniform' : `storage, ${d.access}`;
    const ty = d.access === 'uniform' ? 'P' : (types[d.name] ?? 'array<f32>');
    return `@group(0) @binding(${i}) var<${cls}> ${d.name}: ${ty};`;
  });
  return [...(hasUniform ? [uniformStruct(uniforms)] : []), ...lines].join('\n');
}

/**
 * Dispatch grids cap at 65535 workgroups per dimension; 1-D work is folded into x and y.
 * A kernel using this reads `let i = gid.x + gid.y * (nwg.x * WG);` with
 * `@builtin(num_workgroups) nwg: vec3u`.
 */
export function grid1d(count: number, workgroupSize: number): Grid {
  const groups = Math.max(1, Math.ceil(count / workgroupSize));
  if (groups <= 65535) return [groups, 1, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y, 1];
}
