// The package root in Node (the "node" export condition): everything lib/index.ts has, plus
// readers and writers that take file paths.
export * from './index.ts';
export { openImzml, findIbd, writeImzml } from '../io/imzml/node.ts';
export { readNpyFile, writeNpyFile } from '../io/npy-node.ts';
export { writeSimulation } from '../io/simulator-node.ts';
