// A kernel = WGSL text + the bindings the engine will pass. The binding list is declared here
// and also derived from the WGSL by wgsl_reflect; the runtime refuses a mismatch, and a test
// checks every kernel, so the WGSL stays the single source of truth.

export type Access = 'read' | 'read_write' | 'uniform';

export interface BindingDecl {
  name: string;
  access: Access;
}

export interface KernelSpec {
  /** Unique per distinct WGSL text (family + parameters); the pipeline cache key. */
  readonly key: string;
  /** The WGSL, generated on first read: the runtime reads it only when its key is not cached yet. */
  readonly code: string;
  /** In @binding order, all in @group(0). */
  readonly bindings: readonly BindingDecl[];
  readonly entry: string;
}

/**
 * A kernel whose WGSL is built by `source` on first use. Factories run at every dispatch and
 * a large generator costs up to a millisecond, so a pipeline-cache hit must not pay for it.
 */
export function defineKernel(key: string, source: () => string, bindings: readonly BindingDecl[], entry = 'main'): KernelSpec {
  let code: string | undefined;
  return {
    key,
    bindings,
    entry,
    get code() {
      return (code ??= source());
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

/** Emits the WGSL declarations for a binding list, in order, so sources cannot drift from it. */
export function bindingsWgsl(decls: readonly BindingDecl[], types: Record<string, string>): string {
  return decls
    .map((d, i) => {
      const ty = types[d.name];
      if (!ty) throw new Error(`no WGSL type for binding ${d.name}`);
      const cls = d.access === 'uniform' ? 'uniform' : `storage, ${d.access}`;
      return `@group(0) @binding(${i}) var<${cls}> ${d.name}: ${ty};`;
    })
    .join('\n');
}

/**
 * Dispatch grids cap at 65535 workgroups per dimension; 1-D work is folded into x and y.
 * A kernel using this reads `let i = gid.x + gid.y * (nwg.x * WG);` with
 * `@builtin(num_workgroups) nwg: vec3u`.
 */
export function grid1d(count: number, workgroupSize: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(count / workgroupSize));
  if (groups <= 65535) return [groups, 1, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y, 1];
}
