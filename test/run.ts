// Test entry: loads every *.test.ts under test/ into one process (one GPU device shared by all),
// runs them with uvu, then prints a one-line total and tears the device down so Node exits.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname);
const filter = process.argv[2] ? new RegExp(process.argv[2]) : null;

function collect(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = collect(root).filter((f) => !filter || filter.test(relative(root, f)));
(globalThis as any).UVU_DEFER = 1;
const uvu = await import('uvu');
let idx = 0;
for (const file of files) {
  (globalThis as any).UVU_INDEX = idx++;
  (globalThis as any).UVU_QUEUE.push([relative(root, file)]);
  await import(pathToFileURL(file).href);
}

// uvu prints "Total: / Passed: / Skipped:"; keep a copy so we can print one closing line.
let captured = '';
const write = process.stdout.write.bind(process.stdout);
(process.stdout as any).write = (chunk: any, ...rest: any[]) => {
  captured += String(chunk);
  return write(chunk, ...rest);
};
await uvu.exec(false);
(process.stdout as any).write = write;

const plain = captured.replace(/\x1b\[[0-9;]*m/g, '');
const num = (label: string) => Number(/\s*(\d+)/.exec(plain.split(label)[1] ?? '')?.[1] ?? 0);
const total = num('Total:'), passed = num('Passed:'), skipped = num('Skipped:');
console.log(`\ntests: ${passed} passed, ${total - passed} failed, ${skipped} skipped`);

const { releaseTestEngine } = await import('./gpu.ts');
await releaseTestEngine();
