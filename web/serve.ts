// `npm run web`: builds the app and serves it on localhost (WebGPU needs a secure context;
// localhost is one). `npm run build:web` (DIR, default dist-web/): the same files on disk.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { buildWeb } from './build.ts';

const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8' };
const args = process.argv.slice(2);

if (args[0] === 'build') {
  const dir = resolve(args[1] ?? 'dist-web');
  mkdirSync(dir, { recursive: true });
  const { files } = await buildWeb();
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  console.log(`web app: ${[...files.keys()].join(', ')} written to ${dir} (serve the folder from any static host)`);
} else {
  const port = Number(process.env.PORT ?? 8080);
  const { files } = await buildWeb({ minify: false });
  createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1) || 'index.html';
    const body = files.get(name);
    if (body === undefined) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': TYPES[name.split('.').pop()!] ?? 'application/octet-stream' }).end(body);
  }).listen(port, '127.0.0.1', () => console.log(`msinet web app: http://127.0.0.1:${port}/  (Ctrl-C to stop)`));
}
