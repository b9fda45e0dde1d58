// Prints the WebGPU adapter Dawn finds, or exits 1 when there is none. Used by setup.sh.
import { create, globals } from 'webgpu';
Object.assign(globalThis, globals);
const gpu = create([]);
const adapter = await gpu.requestAdapter();
if (!adapter) process.exit(1);
const i = adapter.info;
console.log([i.vendor, i.architecture, i.description].filter(Boolean).join(' / '));
