// `npm run build`: the library and CLI as ES modules + .d.ts in dist/ (tsc rewrites the
// sources' .ts imports to .js), so the installed package needs no tsx. dist/ is rebuilt from
// scratch so a deleted source leaves no stale module behind.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const root = new URL('../', import.meta.url);
rmSync(new URL('dist/', root), { recursive: true, force: true });
execFileSync(process.execPath, [new URL('node_modules/typescript/bin/tsc', root).pathname, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
console.error('build: dist/ written'); // stderr: `npm pack --json` keeps stdout for its JSON
