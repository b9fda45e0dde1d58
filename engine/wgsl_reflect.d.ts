// The package's "main" is a CommonJS build under "type": "module"; we import the ES module
// build by path, and point its types at the package's own declarations.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
