#!/usr/bin/env node
// The `msinet` command. In the repository (sources present, tsx installed) it runs the
// TypeScript sources through tsx, so a checkout needs no build; an installed package has only
// the build in dist/ and runs that.
import { existsSync } from 'node:fs';

const sources = new URL('../cli/main.ts', import.meta.url);
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else {
  await import('../dist/cli/main.js');
}
