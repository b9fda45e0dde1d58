#!/usr/bin/env node
// The `msinet` command. Sources are TypeScript; tsx compiles them on the fly.
import { register } from 'tsx/esm/api';
register();
await import('../cli/main.ts');
