// `msinet-webgpu/kernels`: the WGSL kernel factories' common spec and the registry of every
// family (each with representative parameters), for tools that inspect or precompile them.
export { kernelFamilies } from '../kernels/registry.ts';
export { defineKernel, binds, uniformStruct, grid1d } from '../kernels/spec.ts';
export type { KernelSpec, KernelDef, BindingDecl, Access, UniformDecl, UniformType, UniformValues, Grid } from '../kernels/spec.ts';
